// The studio page: a client of the HTTP API (docs/studio.md). The preset is plain JSON here; the
// server converts it to YAML and back, validates it with the CLI's checks, and runs it as jobs whose
// frames and progress arrive as server-sent events.
"use strict";

const $ = id => document.getElementById(id);
const el = Controls.el;
const state = {
  preset: {}, models: [], transforms: [], layers: {}, presets: [], kinds: {}, info: null,
  previewSize: 256, valid: false, job: null, source: null, stream: null, jobs: {}, presetName: null,
};
const LIVE_STATES = ["running", "paused"];

// -- talking to the server --
async function api(method, url, body) {
  const options = {method, headers: {}};
  if (body !== undefined) { options.headers["content-type"] = "application/json"; options.body = JSON.stringify(body); }
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({error: `dreamanim: error: ${url}: answered ${response.status}`}));
  return {ok: response.ok, status: response.status, data};
}

// -- the preset, kept in sync with the controls and the YAML --
let syncTimer = null, syncSeq = 0;
function syncSoon(delay = 120) { clearTimeout(syncTimer); syncTimer = setTimeout(syncFromControls, delay); }

async function syncFromControls() {
  const seq = ++syncSeq;
  const {data} = await api("POST", "/api/preset", {preset: state.preset});
  if (seq !== syncSeq) return;  // a newer edit is on its way
  if (document.activeElement !== $("yaml") && data.yaml !== undefined) $("yaml").value = data.yaml;
  showValidity(data);
}

let yamlTimer = null;
function yamlEdited() {
  $("yaml-state").textContent = "editing…";
  clearTimeout(yamlTimer);
  yamlTimer = setTimeout(async () => {
    const seq = ++syncSeq;
    const {data} = await api("POST", "/api/preset", {yaml: $("yaml").value});
    if (seq !== syncSeq) return;
    if (data.preset) { state.preset = data.preset; await rebuild(); }
    showValidity(data);
  }, 350);
}

function showValidity(data) {
  document.querySelectorAll(".invalid").forEach(n => n.classList.remove("invalid"));
  document.querySelectorAll(".control-error").forEach(n => { n.hidden = true; n.textContent = ""; });
  state.valid = !!data.ok;
  $("preset-error").hidden = state.valid;
  $("preset-error").textContent = state.valid ? "" : data.error;
  $("yaml-state").textContent = state.valid ? "in sync · valid" : "not valid: fix it to run";
  $("yaml-state").classList.toggle("bad", !state.valid);
  if (!state.valid) (data.keys || []).forEach(key => showAt(key, data.error));
  updateButtons();
}

function showAt(key, message) {
  // the control for the key, or for the nearest key above it (dream.layers.x => the layers list)
  let k = key;
  while (k) {
    const node = document.querySelector(`#controls [data-key="${CSS.escape(k)}"], #library [data-key="${CSS.escape(k)}"]`);
    if (node) {
      node.classList.add("invalid");
      const slot = [...node.children].find(c => c.classList.contains("control-error"));
      if (slot) { slot.hidden = false; slot.textContent = message.replace(/^dreamanim: error: /, ""); }
      node.scrollIntoView({block: "nearest"});
      return;
    }
    k = k.includes(".") || k.includes("[") ? k.replace(/(\.[^.[\]]+|\[\d+\])$/, "") : "";
  }
}

function controlContext() {
  const model = state.preset.model || "efficientnet_lite0";
  return {models: state.models, layers: state.layers[model] || [], transforms: state.transforms,
          isVideo: state.kinds[state.preset.input] === "video", previewSize: state.previewSize,
          onPreviewSize: v => { if (typeof v === "number" && v >= 16) state.previewSize = Math.round(v); }};
}

async function rebuild() {
  const model = state.preset.model || "efficientnet_lite0";
  if (!state.layers[model]) {
    const {ok, data} = await api("GET", `/api/layers/${encodeURIComponent(model)}`);
    state.layers[model] = ok ? data : [];
  }
  Controls.build($("controls"), state.preset, controlContext(), onChange);
  fillPulseKeys();
  markSelection();
}

async function onChange(key, value, how, extra = {}) {
  const p = state.preset;
  if (key === "model") {
    p.model = value;
    const info = state.models.find(m => m.name === value);
    if (info) Controls.put(p, "dream.layers", {...info.default_layers});
  } else if (/^transform\[\d+\]$/.test(key) && how === "remove") {
    p.transform.splice(Number(key.match(/\d+/)[0]), 1);
  } else {
    if (key.startsWith("dream.layers.") && !Controls.get(p, "dream.layers") && extra.layers)
      Controls.put(p, "dream.layers", {...extra.layers});  // the model's default layers, made explicit
    Controls.put(p, key, value);
  }
  if (how === "slide") return syncSoon(200);
  // what changes the panel's shape rebuilds it; a value typed or slid leaves it (and its focus) alone
  const structural = /^(model|input|outputs|coherence|audio)$/.test(key) || /^transform\[\d+\]$/.test(key)
                     || (extra.layers !== undefined && !extra.weightOnly);
  // a running preview is steered first (from its next frame); the YAML and validity follow
  if (state.job && LIVE_STATES.includes(state.job.state) && Controls.isLive(key) && typeof value === "number")
    steer("set", {key, value});
  if (structural) await rebuild();
  syncSoon(0);
}

async function steer(action, body) {
  $("stage").dataset.framesAtSend = $("stage").dataset.frames || "0";
  const {ok, data} = await api("POST", `/api/jobs/${state.job.id}/${action}`, body);
  if (!ok) { showAt(body.key, data.error); flash(data.error.replace(/^dreamanim: error: /, ""), true); }
}

// -- sources and presets --
function sourceCard(ref, name, kind, thumbnail) {
  state.kinds[ref] = kind;
  return el("button", {class: "card source", "data-ref": ref, title: `${name} (${kind})`,
                       onclick: () => { state.preset.input = ref; if (kind !== "video") delete state.preset.coherence;
                                        onChange("input", ref, "set"); }},
            thumbnail ? el("img", {src: thumbnail, alt: name, loading: "lazy"}) : el("span", {class: "noise"}),
            el("span", {class: "card-label"}, name.replace(/\.[^.]+$/, "")));
}

function audioLine() {
  const audios = Object.entries(state.kinds).filter(([, kind]) => kind === "audio");
  const current = state.preset.audio;
  const options = [["", "no soundtrack"], ...(state.kinds[state.preset.input] === "video" ? [["true", "the clip's own sound"]] : []),
                   ...audios.map(([ref]) => [ref, "♪ " + (state.names[ref] || ref)])];
  const select = el("select", {"aria-label": "soundtrack", onchange: () => {
    const v = select.value;
    onChange("audio", v === "" ? undefined : v === "true" ? true : v, "set");
  }}, options.map(([v, text]) => el("option", {value: v, selected: String(current ?? "") === v}, text)));
  $("audio-line").replaceChildren(el("span", {}, "sound"), select);
  $("audio-line").setAttribute("data-key", "audio");
  $("audio-line").append(el("div", {class: "control-error", hidden: true}));
}

function presetCard(p) {
  return el("button", {class: "card preset", "data-name": p.name, title: p.about,
                       onclick: () => pickPreset(p)},
            el("img", {src: p.thumbnail, alt: p.name, loading: "lazy"}),
            el("span", {class: "card-label"}, p.name.replace(/_/g, " ")));
}

async function pickPreset(p) {
  state.preset = JSON.parse(JSON.stringify(p.preset));
  state.presetName = p.name;
  await rebuild();
  syncSoon(0);
}

function markSelection() {
  document.querySelectorAll(".card.source").forEach(c => c.classList.toggle("selected", c.dataset.ref === state.preset.input));
  document.querySelectorAll(".card.preset").forEach(c => c.classList.toggle("selected", c.dataset.name === state.presetName));
  audioLine();
}

async function upload(file) {
  const kind = (file.type.split("/")[0] || "image");
  $("upload-error").hidden = true;
  const response = await fetch(`/api/uploads?kind=${encodeURIComponent(kind)}&name=${encodeURIComponent(file.name)}`,
                               {method: "POST", headers: {"content-type": "application/octet-stream"}, body: file});
  const data = await response.json();
  if (!response.ok) { $("upload-error").hidden = false; $("upload-error").textContent = data.error; return; }
  state.names[data.ref] = data.name;
  if (data.kind === "audio") { state.kinds[data.ref] = "audio"; onChange("audio", data.ref, "set"); return; }
  $("sources").append(sourceCard(data.ref, data.name, data.kind, data.thumbnail));
  onChange("input", data.ref, "set");
}

// -- jobs: preview, render, and their events --
async function startJob(kind) {
  if (!state.valid) return;
  const preset = JSON.parse(JSON.stringify(state.preset));
  if (kind === "preview") preset.size = Math.min(preset.size || 384, state.previewSize);
  const {ok, data} = await api("POST", "/api/jobs", {kind, preset});
  if (!ok) { showValidity({ok: false, error: data.error, keys: data.keys}); return; }
  watch(data);
  refreshJobs();
}

function watch(job) {
  if (state.stream) state.stream.close();
  state.job = job;
  $("filmstrip").replaceChildren();
  $("stage-video").hidden = true; $("stage-video").removeAttribute("src");
  $("outputs-line").replaceChildren();
  setBar("step-bar", 0); setBar("frame-bar", 0);
  $("frame-count").textContent = "–"; $("objective").textContent = "–"; $("eta").textContent = "–";
  showState(job.state);
  const stream = new EventSource(`/api/jobs/${job.id}/events`);
  state.stream = stream;
  const on = (kind, fn) => stream.addEventListener(kind, e => { if (state.stream === stream) fn(JSON.parse(e.data)); });
  on("state", d => { job.state = d.state; showState(d.state, d); if (d.state === "done") finished(job, d); refreshJobs(); });
  on("frames", d => { job.frames = d.frames; job.done = d.done; counts(job); });
  on("frame_start", d => { setBar("step-bar", 0); $("frame-count").textContent = `${d.i + 1} / ${job.frames}`; });
  on("step", d => { setBar("step-bar", d.step / Math.max(d.steps, 1));
                    if (d.objective != null) $("objective").textContent = d.objective.toPrecision(3); });
  on("frame", d => showFrame(job, d));
  on("progress", d => { job.done = d.done; counts(job); $("eta").textContent = d.eta == null ? "–" : eta(d.eta); });
  on("change", d => {
    flash(`${d.key} → ${typeof d.value === "object" ? "pulse " + d.value.pulse : d.value} from frame ${d.t + 1}`);
    $("stage").dataset.changedAt = String(d.t);  // (tests and the benchmark read where it landed)
    $("stage").dataset.framesAtChange = $("stage").dataset.frames || "0";
  });
  on("refused", d => { showAt(d.key, d.error); flash(d.error.replace(/^dreamanim: error: /, ""), true); });
  on("writing", d => { $("job-state").textContent = `writing ${d.name}…`; setBar("step-bar", 1); });
  on("note", d => flash(d.text));
  on("end", () => stream.close());
}

function showFrame(job, d) {
  const img = $("stage-image");
  img.src = d.url; img.hidden = false; $("stage-empty").hidden = true;
  const strip = $("filmstrip");
  strip.append(el("img", {class: "frame-thumb", src: d.url, "data-i": d.i, alt: `frame ${d.i + 1}`, title: `frame ${d.t + 1}`,
                          onclick: () => { img.src = d.url; $("stage-video").hidden = true; img.hidden = false; }}));
  while (strip.children.length > 80) strip.firstChild.remove();
  strip.scrollLeft = strip.scrollWidth;
  $("stage").dataset.frames = String(strip.querySelectorAll(".frame-thumb").length);
  if (d.objective != null) $("objective").textContent = d.objective.toPrecision(3);
}

function finished(job, d) {
  const files = d.files || {};
  const video = files.webm || files.mp4;
  if (video) {
    const v = $("stage-video");
    v.src = video; v.hidden = false; $("stage-image").hidden = true; v.play().catch(() => {});
  } else if (files.gif) {
    $("stage-image").src = files.gif; $("stage-image").hidden = false;
  }
  $("outputs-line").replaceChildren(...downloadLinks(files));
  $("eta").textContent = d.seconds != null ? `done in ${d.seconds.toFixed(1)} s` : "done";
  setBar("frame-bar", 1);
}

function downloadLinks(files) {
  return Object.entries(files).filter(([k]) => k !== "manifest").map(([kind, url]) =>
    el("a", {href: url + "?download=1", class: "download", download: true, "data-kind": kind}, "⤓ " + kind));
}

function counts(job) {
  setBar("frame-bar", job.frames ? job.done / job.frames : 0);
  if (job.frames) $("frame-count").textContent = `${job.done} / ${job.frames}`;
}
function setBar(id, share) { $(id).style.width = `${Math.round(Math.min(Math.max(share, 0), 1) * 100)}%`; }
function eta(seconds) { return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`; }

function showState(s, d = {}) {
  const label = {queued: "queued", running: "dreaming", paused: "paused", stopping: "stopping…", stopped: "stopped (frames kept)",
                 done: "done", failed: "failed"}[s] || s;
  $("job-state").textContent = state.job ? `${state.job.kind} · ${label}` : label;
  $("job-state").dataset.state = s;
  $("status").textContent = d.error || (state.job ? `${state.job.kind} ${state.job.id}: ${label}` : "");
  $("status").classList.toggle("bad", s === "failed");
  updateButtons();
}

function updateButtons() {
  const s = state.job ? state.job.state : "idle";
  const live = LIVE_STATES.includes(s);
  $("preview-button").disabled = !state.valid;
  $("render-button").disabled = !state.valid;
  $("pause-button").disabled = !live;
  $("pause-button").textContent = s === "paused" ? "▶ Resume" : "❚❚ Pause";
  $("stop-button").disabled = !(live || s === "queued");
  $("pulse-button").disabled = !live;
}

async function control(action) {
  if (!state.job) return;
  const {data} = await api("POST", `/api/jobs/${state.job.id}/${action}`);
  if (data.state) { state.job.state = data.state; showState(data.state); }
}

function fillPulseKeys() {
  const select = $("pulse-key");
  const keys = Controls.liveKeys(state.preset, controlContext());
  const before = select.value;
  select.replaceChildren(...keys.map(k => el("option", {value: k}, k.replace(/^transform\[\d+\]\./, ""))));
  const preferred = keys.find(k => k === before) || keys.find(k => k.startsWith("transform[")) || keys[0];
  if (preferred) select.value = preferred;
}

function pulse() {
  if (!state.job || !LIVE_STATES.includes(state.job.state)) return;
  const amount = Number($("pulse-amount").value), frames = Math.max(1, Math.round(Number($("pulse-frames").value) || 4));
  steer("pulse", {key: $("pulse-key").value, amount, frames});
  $("pulse-button").classList.add("flash");
  setTimeout(() => $("pulse-button").classList.remove("flash"), 250);
}

function flash(text, bad = false) {
  const badge = $("stage-badge");
  badge.textContent = text; badge.hidden = false; badge.classList.toggle("bad", bad);
  clearTimeout(badge.timer);
  badge.timer = setTimeout(() => (badge.hidden = true), 3500);
}

// -- the session's jobs --
async function refreshJobs() {
  const {ok, data} = await api("GET", "/api/jobs");
  if (!ok) return;
  const list = $("jobs");
  list.replaceChildren(...data.slice().reverse().map(job => {
    const thumb = job.frame_urls.length ? job.frame_urls[0] : null;
    const progress = job.frames ? `${job.done}/${job.frames}` : "";
    return el("li", {class: `job ${job.state}`, "data-id": job.id},
      thumb ? el("img", {src: thumb, alt: ""}) : el("span", {class: "noise small"}),
      el("div", {class: "job-body"},
        el("div", {}, el("b", {}, job.kind), ` · ${job.state} ${progress}`),
        el("div", {class: "job-links"}, downloadLinks(job.files),
          el("button", {class: "link", title: "restore every control from this job's preset",
                        onclick: () => openJobPreset(job.id)}, "open preset"),
          el("button", {class: "link", onclick: () => { watchExisting(job); }}, "show"),
          ["stopped", "failed"].includes(job.state)
            ? el("button", {class: "link", onclick: async () => { const r = await api("POST", `/api/jobs/${job.id}/continue`);
                                                               if (r.ok) { watch(r.data); refreshJobs(); } }}, "continue") : null)));
  }));
}

async function openJobPreset(id) {
  const {ok, data} = await api("GET", `/api/jobs/${id}/preset`);
  if (!ok) return;
  state.preset = data.preset; state.presetName = null;
  await rebuild();
  syncSoon(0);
}

function watchExisting(job) {
  watch(job);
  job.frame_urls.forEach((url, i) => showFrame(job, {i, t: i * job.every, url}));
  counts(job);
  if (job.state === "done") finished(job, {files: job.files});
}

// -- start --
async function init() {
  const [info, models, transforms, presets] = await Promise.all(
    ["/api/info", "/api/models", "/api/transforms", "/api/presets"].map(u => api("GET", u).then(r => r.data)));
  Object.assign(state, {info, models, transforms, presets, names: {}});
  $("osc-badge").hidden = !info.osc;
  if (info.osc) $("osc-badge").textContent = `OSC :${info.osc}`;
  state.kinds.noise = "noise";
  $("sources").append(sourceCard("noise", "noise", "noise", null));
  info.samples.forEach(s => {
    state.names[s.ref] = s.name;
    if (s.kind === "audio") state.kinds[s.ref] = "audio";
    else $("sources").append(sourceCard(s.ref, s.name, s.kind, s.thumbnail));
  });
  $("presets").replaceChildren(...presets.map(presetCard));
  const first = presets.find(p => p.name === "vertical_stretch") || presets[0];
  if (first) await pickPreset(first);
  $("status").textContent = "";
  refreshJobs();
  pollReady(info.ready);

  $("yaml").addEventListener("input", yamlEdited);
  $("upload").addEventListener("change", e => { if (e.target.files[0]) upload(e.target.files[0]); e.target.value = ""; });
  $("preview-button").addEventListener("click", () => startJob("preview"));
  $("render-button").addEventListener("click", () => startJob("render"));
  $("pause-button").addEventListener("click", () => control(state.job && state.job.state === "paused" ? "resume" : "pause"));
  $("stop-button").addEventListener("click", () => control("stop"));
  $("pulse-button").addEventListener("click", pulse);
  $("pulse-key").addEventListener("change", () => {
    const v = Controls.get(state.preset, $("pulse-key").value);
    if (typeof v === "number" && v !== 0) $("pulse-amount").value = String(+(Math.abs(v) * 0.5).toPrecision(2));
  });
  document.addEventListener("keydown", e => {
    if (e.target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "p" || e.key === "P") { e.preventDefault(); pulse(); }
    else if (e.key === " ") { e.preventDefault(); if (!$("pause-button").disabled) $("pause-button").click(); }
    else if (e.key === "Enter") { e.preventDefault(); if (!$("preview-button").disabled) startJob("preview"); }
  });
  setInterval(refreshJobs, 2000);
}

async function pollReady(ready) {
  while (!ready) {
    await new Promise(r => setTimeout(r, 1000));
    ready = (await api("GET", "/api/info")).data.ready;
  }
  $("ready-badge").textContent = "model ready";
  $("ready-badge").classList.add("ok");
}

init();

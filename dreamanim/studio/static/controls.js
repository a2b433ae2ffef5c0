// The controls: a preset (plain JSON) => sliders, fields and lists; each edit => onChange(key, value).
// Keys are the preset's dotted paths as `--set` writes them (dream.step_size, transform[0].zoom.amount),
// so an error naming a key finds its control, and a live change names the key the server steers.
"use strict";

const Controls = (() => {
  // What people change most, with the ranges a slider covers (a typed value may go beyond, the
  // server checks it): [key, label, min, max, step, whole number?]
  const DREAM = [
    ["dream.steps", "steps", 1, 30, 1, true],
    ["dream.step_size", "step size", 0.001, 0.15, 0.001, false],
    ["dream.octaves", "octaves", 1, 8, 1, true],
    ["dream.octave_scale", "octave scale", 1.05, 2.0, 0.01, false],
  ];
  const FIRST = [
    ["first_frame.steps", "steps", 1, 40, 1, true],
    ["first_frame.octaves", "octaves", 1, 8, 1, true],
  ];
  const ANIMATION = [
    ["frames", "frames", 1, 300, 1, true],
    ["size", "size", 32, 1024, 8, true],
    ["seed", "seed", 0, 999, 1, true],
  ];
  const COHERENCE = [
    ["coherence.decay", "decay", 0, 1, 0.01, false],
    ["coherence.renew", "renew", 0, 1, 0.01, false],
  ];
  const DEFAULTS = {"dream.steps": 6, "dream.octaves": 3, "dream.octave_scale": 1.4, frames: 60, size: 384, seed: 0,
                    "coherence.decay": 0.9, "coherence.renew": 0.3};
  const FORMATS = ["gif", "mp4", "webm", "webp"];

  // -- dotted keys over plain data --
  function parts(key) {
    return [...key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(m => (m[2] !== undefined ? Number(m[2]) : m[1]));
  }
  function get(data, key) {
    let node = data;
    for (const p of parts(key)) {
      if (node === null || typeof node !== "object" || !(p in node)) return undefined;
      node = node[p];
    }
    return node;
  }
  function put(data, key, value) {
    const path = parts(key);
    let node = data;
    path.slice(0, -1).forEach((p, i) => {
      if (node[p] === null || typeof node[p] !== "object") node[p] = typeof path[i + 1] === "number" ? [] : {};
      node = node[p];
    });
    if (value === undefined) delete node[path[path.length - 1]];
    else node[path[path.length - 1]] = value;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  // A number as a slider and a typed field. A value that is not a number (an expression such as
  // "0.02 + 0.01*beat", or keyframes) is shown as text: the slider steps aside, the YAML holds it.
  function number(key, label, min, max, step, whole, value, fallback, onChange) {
    const scheduled = value !== undefined && typeof value !== "number";
    const shown = value === undefined ? fallback : value;
    const slider = el("input", {type: "range", min, max, step, "aria-label": label, disabled: scheduled});
    const field = el("input", {type: "text", inputmode: "decimal", class: "num", "aria-label": label + " value",
                               readonly: scheduled && typeof value === "object"});
    const setShown = v => {
      if (typeof v === "number") { slider.value = v; field.value = String(v); }
      else if (typeof v === "string") field.value = v;
      else if (v && typeof v === "object") field.value = JSON.stringify(v);
      else field.value = "";
      field.placeholder = value === undefined && fallback === undefined ? "default" : "";
    };
    setShown(shown);
    if (value === undefined) field.classList.add("ghost");
    slider.addEventListener("input", () => {
      const v = whole ? Math.round(Number(slider.value)) : Number(slider.value);
      field.value = String(v); field.classList.remove("ghost");
      onChange(key, v, "slide");
    });
    slider.addEventListener("change", () => onChange(key, Number(slider.value), "set"));
    field.addEventListener("change", () => {
      const text = field.value.trim();
      if (text === "") return onChange(key, undefined, "set");
      const n = Number(text);
      const v = Number.isFinite(n) && text !== "" ? n : text;  // an expression goes to the server as text
      if (typeof v === "number") slider.value = v;
      field.classList.remove("ghost");
      onChange(key, v, "set");
    });
    return el("div", {class: "control number" + (scheduled ? " scheduled" : ""), "data-key": key},
              el("label", {}, label, scheduled ? el("em", {}, " scheduled") : null), slider, field,
              el("div", {class: "control-error", hidden: true}));
  }

  function choice(key, label, options, value, onChange) {
    const select = el("select", {"aria-label": label, onchange: () => onChange(key, select.value || undefined, "set")},
                      options.map(([v, text]) => el("option", {value: v, selected: String(value ?? "") === String(v)}, text)));
    return el("div", {class: "control choice", "data-key": key}, el("label", {}, label), select,
              el("div", {class: "control-error", hidden: true}));
  }

  function section(title, ...children) {
    return el("details", {class: "group", open: true}, el("summary", {}, title), ...children);
  }

  // The whole panel for one preset. ctx: {models, layers (of the model), transforms, isVideo}.
  function build(root, preset, ctx, onChange) {
    const open = {};
    root.querySelectorAll("details.group").forEach(d => (open[d.querySelector("summary").textContent] = d.open));
    root.replaceChildren();
    const model = preset.model || "efficientnet_lite0";
    const modelInfo = ctx.models.find(m => m.name === model) || {};
    const n = (spec, fallback) => number(...spec, get(preset, spec[0]), fallback ?? DEFAULTS[spec[0]], onChange);

    // model and layers
    const models = ctx.models.map(m => [m.name, m.name + (m.offline === "no" ? " (downloads)" : "")]);
    const layers = get(preset, "dream.layers") || modelInfo.default_layers || {};
    const layerRows = Object.entries(layers).map(([name, weight]) =>
      el("div", {class: "layer-row"},
         number(`dream.layers.${name}`, name, -2, 2, 0.05, false, get(preset, "dream.layers") ? weight : undefined,
                weight, (k, v, how) => onChange(k, v, how, {layers, weightOnly: true})),
         el("button", {class: "remove", title: `remove ${name}`, "aria-label": `remove layer ${name}`,
                       onclick: () => onChange(`dream.layers.${name}`, undefined, "set", {layers})}, "×")));
    const search = el("input", {type: "search", list: "layer-list", placeholder: `add a layer of ${model}…`,
                                "aria-label": "add a layer", class: "layer-search"});
    const datalist = el("datalist", {id: "layer-list"},
                        ctx.layers.map(l => el("option", {value: l.name}, `${l.channels} channels, stride ${l.stride}`)));
    search.addEventListener("change", () => {
      const name = search.value.trim();
      if (ctx.layers.some(l => l.name === name)) onChange(`dream.layers.${name}`, 1.0, "set", {layers});
    });
    root.append(section("Model",
      choice("model", "model", models, model, onChange),
      el("div", {class: "control-note"}, modelInfo.summary || ""),
      el("div", {class: "layers", "data-key": "dream.layers"}, layerRows, search, datalist,
         el("div", {class: "control-error", hidden: true}))));

    // the dream
    const stepFallback = modelInfo.default_step;
    root.append(section("Dream", ...DREAM.map(spec => n(spec, spec[0] === "dream.step_size" ? stepFallback : undefined)),
      el("div", {class: "subhead"}, "first frame"), ...FIRST.map(spec => n(spec, get(preset, spec[0].replace("first_frame", "dream")) ?? DEFAULTS[spec[0].replace("first_frame", "dream")]))));

    // the animation
    const loop = ["forward", "reverse", "pingpong", "seamless"].map(v => [v, v]);
    root.append(section("Animation", ...ANIMATION.map(spec => n(spec)),
      choice("loop", "loop", loop, preset.loop || "forward", onChange),
      number("preview_size", "preview size", 32, 512, 8, true, ctx.previewSize, 256,
             (k, v, how) => ctx.onPreviewSize(v, how))));

    // the transform chain, each from its own signature
    const chain = Array.isArray(preset.transform) ? preset.transform : [];
    const items = chain.map((step, i) => transformItem(step, i, ctx, onChange));
    const adder = el("select", {"aria-label": "add a transform", onchange: () => {
      if (adder.value) onChange(`transform[${chain.length}]`, {[adder.value]: {}}, "set");
    }}, el("option", {value: ""}, "+ add a transform…"),
       ctx.transforms.map(t => el("option", {value: t.name, title: t.doc}, t.name)));
    root.append(section("Transforms", items, adder));

    // a video's coherence, a soundtrack
    if (ctx.isVideo) {
      const co = get(preset, "coherence");
      const mode = typeof co === "string" ? co : (co && co.mode) || "flow";
      root.append(section("Video",
        choice("coherence.mode", "coherence", [["flow", "flow"], ["blend", "blend"], ["none", "none"]], mode,
               (k, v, how) => onChange("coherence", {...(typeof co === "object" && co ? co : {}), mode: v}, how)),
        ...COHERENCE.map(spec => number(...spec, typeof co === "object" && co ? co[spec[0].split(".")[1]] : undefined,
                                        DEFAULTS[spec[0]], (k, v, how) => onChange("coherence",
                                          {...(typeof co === "object" && co ? co : {mode}), [k.split(".")[1]]: v}, how)))));
    }

    // outputs
    const outs = preset.outputs;
    const given = Array.isArray(outs) ? Object.fromEntries(outs.map(f => [f, {}]))
                : outs && typeof outs === "object" ? outs : {gif: {}, mp4: {}};
    root.append(section("Outputs", el("div", {class: "formats", "data-key": "outputs"}, FORMATS.map(fmt =>
      el("label", {class: "format"}, el("input", {type: "checkbox", checked: fmt in given, onchange: e => {
        const next = {...given};
        if (e.target.checked) next[fmt] = {}; else delete next[fmt];
        onChange("outputs", next, "set");
      }}), fmt)), el("div", {class: "control-error", hidden: true})),
      ...Object.keys(given).filter(f => FORMATS.includes(f)).map(fmt =>
        number(`outputs.${fmt}.fps`, `${fmt} fps`, 1, 60, 1, false, get(given, `${fmt}.fps`), fmt === "gif" ? 12 : 24,
               (k, v, how) => onChange("outputs", (() => { const next = JSON.parse(JSON.stringify(given));
                 put(next, k.slice("outputs.".length), v); return next; })(), how)))));
    root.querySelectorAll("details.group").forEach(d => {
      const t = d.querySelector("summary").textContent;
      if (t in open) d.open = open[t];
    });
  }

  function transformItem(step, i, ctx, onChange) {
    const name = typeof step === "string" ? step : Object.keys(step || {})[0];
    const params = (typeof step === "object" && step && step[name]) || {};
    const info = ctx.transforms.find(t => t.name === name);
    const base = `transform[${i}].${name}`;
    const rows = (info ? info.params : []).map(p => paramControl(`${base}.${p.name}`, p, params[p.name], onChange));
    return el("div", {class: "transform", "data-key": `transform[${i}]`},
      el("div", {class: "transform-head"}, el("b", {}, name), el("span", {class: "doc"}, info ? info.doc : "unknown transform"),
         el("button", {class: "remove", title: `remove ${name}`, "aria-label": `remove transform ${name}`,
                       onclick: () => onChange(`transform[${i}]`, undefined, "remove")}, "×")),
      rows, el("div", {class: "control-error", hidden: true}));
  }

  // A transform parameter's control, from its signature's type: float / int => number; a|b|c => a
  // choice; bool => a checkbox; anything else (a pair, a matrix, an optional) => typed YAML-ish text.
  function paramControl(key, p, value, onChange) {
    const label = p.name;
    if (p.type === "float" || p.type === "int") {
      const d = typeof p.default === "number" ? p.default : 0;
      const span = Math.max(Math.abs(d) * 4, p.type === "int" ? 10 : 0.2);
      const lo = d >= 0 && !/degrees|shift|low|high|amount|phase/.test(p.name) ? 0 : -span;
      return number(key, label, lo, span, p.type === "int" ? 1 : span / 200, p.type === "int", value, p.default, onChange);
    }
    if (/^[\w]+(\|[\w]+)+$/.test(p.type)) {
      return choice(key, label, p.type.split("|").map(v => [v, v]), value ?? p.default, onChange);
    }
    if (p.type === "bool") {
      const box = el("input", {type: "checkbox", checked: value ?? p.default,
                               onchange: () => onChange(key, box.checked, "set")});
      return el("div", {class: "control choice", "data-key": key}, el("label", {}, label), box,
                el("div", {class: "control-error", hidden: true}));
    }
    const field = el("input", {type: "text", class: "wide", value: JSON.stringify(value ?? p.default),
                               "aria-label": label, title: p.type});
    field.addEventListener("change", () => {
      let v; try { v = JSON.parse(field.value); } catch (e) { v = field.value; }
      onChange(key, v, "set");
    });
    return el("div", {class: "control text", "data-key": key}, el("label", {}, label), field,
              el("div", {class: "control-error", hidden: true}));
  }

  // The numbers the steering takes while a render runs: the dream's and the transforms' numbers.
  function liveKeys(preset, ctx) {
    const keys = DREAM.map(s => s[0]);
    const layers = get(preset, "dream.layers") || {};
    Object.keys(layers).forEach(l => keys.push(`dream.layers.${l}`));
    (Array.isArray(preset.transform) ? preset.transform : []).forEach((step, i) => {
      const name = typeof step === "string" ? step : Object.keys(step || {})[0];
      const info = ctx.transforms.find(t => t.name === name);
      (info ? info.params : []).filter(p => p.type === "float")  // (an int parameter is a choice: order, a count)
        .forEach(p => keys.push(`transform[${i}].${name}.${p.name}`));
    });
    return keys;
  }
  function isLive(key) {
    return /^dream\./.test(key) || /^transform\[\d+\]\.\w+\.\w+$/.test(key);
  }

  return {build, get, put, parts, el, liveKeys, isLive};
})();

"""The files a render writes beside its frames: a video per format, the contact sheet and the resolved preset.

    RenderFiles(base, plan).check(resume=, force=)   before anything is dreamed: nothing the user has is replaced
    RenderFiles(base, plan).write(store, plan, progress)   after: each video streamed from the saved frames
"""
from pathlib import Path

from .seamless import LoopMeter
from .store import changed_settings, frames_folder, frames_hash, saved_frames
from ..common.writers import check_free, write_png, write_text
from ..outputs import format_module
from .play import played_frames


class RenderFiles:
    def __init__(self, base: Path, plan):
        self.base, self.plan = Path(base), plan
        self.settings = plan.outputs.given()
        self.videos = {fmt: self._beside(fmt) for fmt in self.settings}
        self.sheet = self._beside("sheet.png")
        # A preview gets no resolved preset: the real render's would be the one to keep.
        self.preset = None if plan.sidecar is None else self._beside("preset.yaml")
        self.kept: set[Path] = set()  # companions already there, made from these very frames: left as they are

    def _beside(self, suffix: str) -> Path:
        return self.base.with_name(f"{self.base.name}.{suffix}")

    @property
    def all(self) -> dict[str, Path]:
        companions = {"sheet": self.sheet, **({"preset": self.preset} if self.preset else {})}
        return {**self.videos, **companions}

    def check(self, *, resume: bool, force: bool) -> bool:
        """Refuse, before anything is dreamed, to replace a file the user has (never without --force),
        with two exceptions beside frames made with these very settings. --resume: the videos, sheet and
        preset there were made from those frames and are made again from them, so a render stopped
        while writing them (Ctrl-C, ffmpeg failing) finishes with --resume and loses nothing. And a
        format not made yet (-o a.webp after -o a.webm): it is made from those frames, the sheet and
        preset already there are kept as they are. True: the frames are reused (a resume)."""
        saved, saved_hash = saved_frames(self.base)
        same = saved > 0 and saved_hash == frames_hash(self.plan.identity())
        if resume and same:
            return True  # (the output folder exists: it holds the frames folder)
        if same and not force and saved >= self.plan.frames and not any(p.exists() for p in self.videos.values()):
            self.kept = {p for p in (self.sheet, self.preset) if p is not None and p.is_file()}
            check_free([p for p in self.all.values() if p not in self.kept], force)
            return True
        frames = f"{frames_folder(self.base)}/"
        if resume and saved:
            changed = changed_settings(frames_folder(self.base), self.plan.manifest())
            fix = (f"the frames in {frames} were rendered with different settings"
                   + (f" [{changed}]" if changed else "") + ", so --resume cannot make it "
                   "again: use --force to start over or -o to choose another name")
        elif same:
            fix = (f"add --resume to make it again from the {saved} frame(s) in {frames}, "
                   "--force to start over, or -o to choose another name")
        else:
            fix = "use --force to overwrite it or -o to choose another name"
        check_free(self.all.values(), force, fix=fix)
        return False

    def write(self, store, plan, progress=None) -> LoopMeter:
        """Each video from the saved frames, then the sheet and the preset; the meter has measured
        the loop of the first video. plan: the one the frames ended under (a steered render's
        records its changes)."""
        self.plan = plan
        meter = LoopMeter()
        for i, (fmt, path) in enumerate(self.videos.items()):
            count, frames = played_frames(store, plan.frames, plan.loop, plan.blend_frames)
            if progress:
                progress.writing(path.name, count)
            with format_module(fmt).Writer(path, self.settings[fmt], comment=store.provenance) as writer:
                for frame in meter.watch(frames) if i == 0 else frames:
                    writer.add(frame)
                    if progress:
                        progress.wrote_frame()
            self._add_sound(fmt, path)
            if progress:
                progress.written()
        self._write_companions(store)
        return meter

    def _add_sound(self, fmt: str, path: Path) -> None:
        """The source's sound for the frames rendered, in a format that carries sound and plays
        them at the source's own speed (an fps of your own would put picture and sound apart)."""
        sound, settings = self.plan.sound, self.settings[fmt]
        if sound and format_module(fmt).Settings.sound and abs(settings.fps - self.plan.sound_fps) < 1e-6:
            from ..source.soundtrack import add_audio
            add_audio(path, *sound, where=self.plan.sound_where)

    def _write_companions(self, store) -> None:
        from .contact_sheet import sheet_for
        from .sidecar import PNG_KEY, with_chosen
        if self.sheet not in self.kept:
            write_png(self.sheet, sheet_for(store.folder, beats=self.plan.beats), text={PNG_KEY: store.provenance})
        if self.preset and self.preset not in self.kept:
            write_text(self.preset, with_chosen(self.plan.sidecar, store.folder, self.plan.frames))

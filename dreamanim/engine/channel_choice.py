"""Automatic channels (`channels: {layer: {strongest: 8}}`): which of a layer's channels one frame's
dream works on, chosen on the image at the octave being dreamed.

    ChannelChoice(dreamer, settings, spec, octaves, rng).at(i, img, size) => the step's (picks,) input
    .record() => layer => Chosen, what the render's sidecar keeps (rendering/sidecar.py)

No TensorFlow here: the strengths come from the backend's probe (Dreamer._probe_for), and the
choice goes to the step as numbers, so a new choice never retraces it.
"""
import zlib
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .objective_spec import ObjectiveSpec


@dataclass(frozen=True)
class Chosen:
    """The channels one frame dreamed on a layer whose channels the dream chose: `rule` is how
    ((mode, count, per_octave, seed)), `channels` the choice: a list, or with per_octave a list
    per octave (smallest first), as `chosen:` in a preset records it."""
    rule: tuple
    channels: list


def rule_of(rule) -> tuple:
    """An AutoChannels' rule, without its record: what a record entry belongs to."""
    return (rule.mode, rule.count, rule.per_octave, rule.seed)


class ChannelChoice:
    """One dream's automatic channels: at(i, img, size) => the step's extra (picks,) input at octave i
    (() without automatic channels). A layer chooses at the first octave, or at every one with
    per_octave; a frame whose choice is recorded (`chosen:`, narrowed to the frame by the preset's
    dream_for) dreams that instead."""

    def __init__(self, dreamer: "Dreamer", settings, spec: ObjectiveSpec, octaves: int, rng: np.random.Generator):
        self.dreamer, self.spec, self.octaves, self.rng = dreamer, spec, octaves, rng
        self.tile_size = settings.tile_size
        self.rules = {layer: settings.channels[layer] for layer, _ in spec.auto_channels}
        self.picked: dict[str, list[list[int]]] = {layer: [] for layer in self.rules}
        self.counts = {info.name: info.channels for info in getattr(dreamer.net, "layers", ())}
        for layer in self.rules:
            self._count(layer)
        self.pinned = {layer: self._pinned(layer, rule) for layer, rule in self.rules.items()}

    def at(self, i: int, img, size: tuple[int, int]) -> tuple:
        if not self.rules:
            return ()
        strengths = None
        for layer, rule in self.rules.items():
            done = self.picked[layer]
            if self.pinned[layer] is not None:
                done.append(self.pinned[layer][i if rule.per_octave else 0])
            elif done and not rule.per_octave:
                done.append(done[-1])
            elif rule.mode == "random":
                done.append(self._draw(layer, rule))
            else:
                if strengths is None:
                    probe = self.dreamer._probe_for(tuple(size), self.spec, self.tile_size)
                    strengths = dict(zip(self.rules, (self.dreamer.backend.to_numpy(t) for t in probe(img))))
                done.append(rank(strengths[layer], rule.mode, rule.count))
        picks = [c for layer in self.rules for c in self.picked[layer][-1]]
        return (self.dreamer.backend.to_tensor(picks, "int32"),)

    def record(self) -> dict[str, Chosen]:
        return {layer: Chosen(rule_of(rule), self.picked[layer] if rule.per_octave else self.picked[layer][0])
                for layer, rule in self.rules.items() if self.picked[layer]}

    def _draw(self, layer: str, rule) -> list[int]:
        """random: count channels, the render's seed's (rule.seed; dream_for fills it in), the same each
        frame; without a seed (a still dreamed alone) one from the frame's generator, which is left as it was."""
        gen = (np.random.default_rng([rule.seed, zlib.crc32(layer.encode()), len(self.picked[layer])])
               if rule.seed is not None else self.rng.spawn(1)[0])
        return sorted(gen.choice(self._count(layer), rule.count, replace=False).tolist())

    def _count(self, layer: str) -> int:
        count = self.counts[layer]
        rule = self.rules[layer]
        if rule.count > count:  # the preset's checks say so first; this guards library use
            raise ValueError(f"{layer} has {count} channels, so {rule.mode}: {rule.count} cannot be chosen")
        return count

    def _pinned(self, layer: str, rule) -> Optional[list[list[int]]]:
        """The frame's recorded choice (per octave), checked against the layer and the octaves dreamed."""
        if not rule.chosen:
            return None
        if len(rule.chosen) != 1:
            raise ValueError(f"{layer}: chosen holds {len(rule.chosen)} frames' channels; a dream is one frame's "
                             "(a preset's dream_for(t) gives frame t's)")
        (t, picked), = rule.chosen.items()
        lists = picked if rule.per_octave else [picked]
        from ..errors import PresetError
        where = f"dream.channels.{layer}.chosen.{t}"
        if rule.per_octave and len(lists) != self.octaves:
            raise PresetError(where, f"records {len(lists)} octaves' channels, but frame {t} dreams {self.octaves} "
                              "octaves", "record one list per octave dreamed, or leave the frame out to choose again")
        count = self._count(layer)
        bad = [c for p in lists for c in p if c >= count]
        if bad:
            raise PresetError(where, f"{layer} has {count} channels (0..{count - 1}), got {bad[0]}",
                              f"pick channel numbers below {count}")
        return [sorted(p) for p in lists]


def rank(strengths: np.ndarray, mode: str, count: int) -> list[int]:
    """The `count` strongest (or weakest) channels, as sorted channel numbers; ties go to the lower number."""
    order = np.argsort(-strengths if mode == "strongest" else strengths, kind="stable")
    return sorted(order[:count].tolist())

"""A render: Plan (resolved once from the Preset) => frame loop => FrameStore => the outputs, sheet and resolved preset."""

"""Moving a frame on: (frame, FrameContext, **params) => frame; the registry, plugins, the chain and geometry helpers."""

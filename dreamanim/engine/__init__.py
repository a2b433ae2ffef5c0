"""The dream: (frame, settings, rng) => dreamed frame, over octaves and tiles; the compute backend sits behind engine/backend.py."""

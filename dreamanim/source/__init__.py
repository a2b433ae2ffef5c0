"""Where pixels and sound come from: SOURCES (name => module) opens an input as a Source of float32 H×W×3 frames."""

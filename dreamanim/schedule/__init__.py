"""Numbers that change over the frames: keyframes and a safe expression language, for the dream and the transforms."""

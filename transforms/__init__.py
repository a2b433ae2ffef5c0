"""The built-in transforms, one small module each, written exactly as a user writes a plugin.

Installed as dreamanim.transforms; the registry imports every module in this folder.
"""

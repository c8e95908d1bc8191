"""Qt-free rules: what an action needs, launch fit, quota effect, detail sections.

Plain functions and dataclasses over the API's raw dicts; no Qt, no HTTP.
"""

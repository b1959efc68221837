"""Rehearsal mode: the analysis turned into a structured spoken answer, and drills to practise it.

Plain Python, no Qt: the command line, the Rehearse tab and the tests all call the same code.
"""

from latency_advisor.rehearsal.framework import LENGTHS, STEPS, Length, Step
from latency_advisor.rehearsal.talk_track import TalkTrack, all_lengths, build_talk_track

__all__ = ["LENGTHS", "STEPS", "Length", "Step", "TalkTrack", "all_lengths", "build_talk_track"]

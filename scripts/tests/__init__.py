"""Tests of scripts/mailscope_tools (standard library unittest only):

  python3 -m unittest discover -s scripts/tests -t scripts"""

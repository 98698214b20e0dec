"""Randomized scenario families (scripts/scenario-families, scripts/score-families): per seed,
a small company's exports with one planted case per family on a product, delays and names drawn
from the seed, and the ground truth an experienced analyst would conclude.

  company   the people and their hosts        exports   the exports a seed writes
  plant     one function per family           score     runs MailScope and checks its report"""

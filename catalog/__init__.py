"""Run the catalog as its users do: ``python3 -m catalog run`` reproduces every stub's headline (or
a slice of the catalog, several seeds, any stub flags) as separate processes, with progress, resume
and a closing table; ``python3 -m catalog summary`` compares the verdicts across seeds.

See ``python3 -m catalog --help``. Results of runner jobs go to ``runs/<stub>/<tag>seed-<n>/``
(git-ignored), never over a stub's committed ``results.json``.
"""

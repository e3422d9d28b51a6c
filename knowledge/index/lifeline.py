"""Imported by the multiprocessing fork server (``set_forkserver_preload``): it dies with its parent.

Importing this module is the one way to run code in the fork server before it forks the embedding
workers; the workers themselves call ``die_with_parent`` in their initializer. A SIGKILL of
``pufa ingest`` then takes the whole chain down instead of leaving it holding the output pipe.
"""

from knowledge.index.embedders import die_with_parent

die_with_parent()

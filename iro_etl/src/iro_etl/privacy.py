"""How iro-etl keeps children's data on disk: readable by the service's own user only.

A leaf with no imports, so the command line can apply it before loading anything else.
"""

#: The process umask of runs and commands: files 0600, folders 0700.
PRIVATE_UMASK = 0o077

"""`python -m dreamanim.studio [options]`: the studio without the CLI (the same options as `dreamanim studio`)."""
import sys

from .command import main

sys.exit(main())

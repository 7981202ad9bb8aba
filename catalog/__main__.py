import sys

from catalog.runner import main

sys.exit(main())

import sys

from partnerclose.cli import main

sys.exit(main())

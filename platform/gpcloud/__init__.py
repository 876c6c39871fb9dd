"""gpcloud: the Guangdong government procurement cloud."""

import os

# Piccolo finds its engine and apps through this module.
os.environ.setdefault("PICCOLO_CONF", "gpcloud.piccolo_conf")

"""Under the tests a parser exception is raised, not recorded as `parser_bug`: a bug must fail
the test that meets it (`xxgk.parsing`)."""

import os

os.environ["XXGK_PARSER_BUGS"] = "raise"

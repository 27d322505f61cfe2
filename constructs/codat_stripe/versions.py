"""Pinned versions of the Terraform-side toolchain, in one place.

The construct library is written against exactly this provider schema; `make setup`
(toolchain/setup-terraform.sh) reads the same constants to build or install the
matching binaries, so a version bump is a one-line change here.
"""

RESTFUL_PROVIDER_SOURCE = "magodo/restful"
RESTFUL_PROVIDER_VERSION = "0.25.2"

TERRAFORM_MIN_VERSION = "1.11.0"
# Built from its Go module only where neither terraform nor tofu >= 1.11 is on PATH.
# (1.12.6 is the newest >= 1.11 release the Go module proxy serves.)
OPENTOFU_VERSION = "1.12.6"

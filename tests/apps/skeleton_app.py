"""Walking-skeleton CDK app: one restful_resource against the URL in SKELETON_BASE_URL."""

import os

from codat_stripe._cdk import App, LocalBackend, TerraformStack
from codat_stripe.restful import RestfulProvider, RestfulResource

app = App()
stack = TerraformStack(app, "skeleton")
LocalBackend(stack, path="skeleton.tfstate")
api = RestfulProvider(stack, "api", base_url=os.environ["SKELETON_BASE_URL"])
RestfulResource(
    stack,
    "greeting",
    provider=api,
    path="/greetings/hello",
    create_method="PUT",
    body={"message": os.environ.get("SKELETON_MESSAGE", "hello from cdktn")},
)
app.synth()

// Package tffwdocs is a build-time stand-in for github.com/magodo/terraform-plugin-framework-docs.
//
// The restful provider (v0.25.2) imports that module only to describe its documentation:
// each provider, resource, data source and ephemeral resource implements a RenderOption()
// method returning examples that a doc generator (internal/tools/gendoc, not part of the
// provider binary) renders to Markdown. The Go module proxy reachable from air-gapped
// machines refuses the pinned pseudo-version of that module, so this package declares the
// same type names with the fields the provider sets, and nothing else. No provider
// behaviour depends on it: the values are never read at run time.
//
// It is used only by toolchain/build-provider.sh, and only after the plain
// `go install github.com/magodo/terraform-provider-restful@vX` has failed.
package tffwdocs

// Example is one documented usage example.
type Example struct {
	Header string
	HCL    string
}

// ImportId documents the import ID format of a resource.
type ImportId struct {
	Format        string
	ExampleCmdArg string
	ExampleBlk    string
}

// ProviderRenderOption holds the provider's documentation options.
type ProviderRenderOption struct {
	Examples []Example
}

// ResourceRenderOption holds a resource's documentation options.
type ResourceRenderOption struct {
	Examples         []Example
	ImportId         *ImportId
	IdentityExamples []Example
}

// DataSourceRenderOption holds a data source's documentation options.
type DataSourceRenderOption struct {
	Examples []Example
}

// EphemeralResourceRenderOption holds an ephemeral resource's documentation options.
type EphemeralResourceRenderOption struct {
	Examples []Example
}

// ProviderWithRenderOption is implemented by a documented provider.
type ProviderWithRenderOption interface {
	RenderOption() ProviderRenderOption
}

// ResourceWithRenderOption is implemented by a documented resource.
type ResourceWithRenderOption interface {
	RenderOption() ResourceRenderOption
}

// DataSourceWithRenderOption is implemented by a documented data source.
type DataSourceWithRenderOption interface {
	RenderOption() DataSourceRenderOption
}

// EphemeralResourceWithRenderOption is implemented by a documented ephemeral resource.
type EphemeralResourceWithRenderOption interface {
	RenderOption() EphemeralResourceRenderOption
}

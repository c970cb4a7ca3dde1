// Command pulumi-resource-kubernetes serves the Kubernetes provider from the
// published github.com/pulumi/pulumi-kubernetes/provider/v4 module.
//
// The module's own cmd/pulumi-resource-kubernetes cannot be built as published:
// it embeds schema-embed.json and terraform-mapping-embed.json, which its
// Makefile generates and git ignores. This replacement main embeds the
// committed schema.json and terraform-mapping.json instead; e2e/toolchain.sh
// copies both from the module cache into the build directory (in the cache,
// never into the repository) before building. The package version is written
// into the schema at start-up, as the upstream generate step does at build
// time.
package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	if version.Version == "" {
		fmt.Fprintln(os.Stderr, "pulumi-resource-kubernetes: built without -X .../pkg/version.Version")
		os.Exit(1)
	}
	var spec map[string]json.RawMessage
	if err := json.Unmarshal(schema, &spec); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: embedded schema: %v\n", err)
		os.Exit(1)
	}
	spec["version"], _ = json.Marshal(version.Version)
	versioned, err := json.Marshal(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: embedded schema: %v\n", err)
		os.Exit(1)
	}
	provider.Serve("kubernetes", version.Version, versioned, terraformMapping)
}

//go:build tools

// The packages built from this wrapper module (see go.mod.in).
package tools

import (
	_ "code.gitea.io/gitea"
	_ "code.gitea.io/gitea/contrib/environment-to-ini"
)

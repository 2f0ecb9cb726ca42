// Package testutil holds helpers shared by tests.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ConformanceDir returns the folder of public conformance data named sub
// ("sigv4", "totp", "profile", ...). The data is maintained by others and is
// read in place, never copied into this repository: from
// $AWSMFA_CONFORMANCE_DIR when set, else from ../shared/conformance next to
// the module root (the directory holding go.mod). Missing data fails the
// test: the suites are required, not optional.
func ConformanceDir(t testing.TB, sub string) string {
	t.Helper()
	if env := os.Getenv("AWSMFA_CONFORMANCE_DIR"); env != "" {
		p := filepath.Join(env, sub)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("AWSMFA_CONFORMANCE_DIR: %v", err)
		}
		return p
	}
	root := ModuleRoot(t)
	p := filepath.Join(root, "..", "shared", "conformance", sub)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance data missing (%v): set AWSMFA_CONFORMANCE_DIR to the shared conformance folder", err)
	}
	return p
}

// ModuleRoot returns the directory holding this module's go.mod, whatever
// the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/awsmfa/awsmfa\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root (go.mod of github.com/awsmfa/awsmfa) not found above the working directory")
		}
		dir = parent
	}
}

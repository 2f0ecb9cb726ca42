// Package testutil holds helpers shared by tests.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ConformanceDir returns the folder of conformance vectors maintained by
// others, kept in this repository's testdata/ one folder per origin
// ("smithy-rs", "aws-c-auth/v4", "botocore/aws4_testsuite", "aws-sdk-go/processcreds",
// "rfc"); testdata/README.md names the origin, commit and licence of each.
// Tests read only from the repository, so a clone in any folder passes.
func ConformanceDir(t testing.TB, sub string) string {
	t.Helper()
	p := filepath.Join(ModuleRoot(t), "testdata", filepath.FromSlash(sub))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance data missing from the repository: %v", err)
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

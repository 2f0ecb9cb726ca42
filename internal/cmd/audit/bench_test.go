package audit

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account/accounttest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// writeSynthetic writes the 5,000-user synthetic account (accounttest.Default)
// as the AWS CLI's get-account-authorization-details output and a matching
// credential report CSV into dir.
func writeSynthetic(t testing.TB, dir string) (auth, report string) {
	t.Helper()
	auth, report = filepath.Join(dir, "auth-5000.json"), filepath.Join(dir, "report-5000.csv")
	if err := os.WriteFile(auth, accounttest.AuthorizationDetails(accounttest.Default), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(report, accounttest.CredentialReport(accounttest.Default), 0o600); err != nil {
		t.Fatal(err)
	}
	return auth, report
}

// TestSyntheticAccountAudit audits the 5,000-user synthetic account through
// the command, offline, as scripts/bench-audit.sh does with the binary
// (which writes the files with AWSMFA_BENCH_ACCOUNT_DIR=DIR).
func TestSyntheticAccountAudit(t *testing.T) {
	dir := os.Getenv("AWSMFA_BENCH_ACCOUNT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	auth, report := writeSynthetic(t, dir)
	ios, _, out, _ := iostreams.Test()
	err := Run(&Options{IO: ios, Backend: DefaultBackend(), AuthorizationDetails: auth, CredentialReport: report,
		Format: "json", FailOn: "none", StaleDays: defaultStaleDays})
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() == 0 {
		t.Fatal("no report")
	}
}

// BenchmarkAuditCommandOffline5000Users is the whole offline command on
// 5,000 users: read and parse both files, decide every user x credential
// type x action, render the text report.
func BenchmarkAuditCommandOffline5000Users(b *testing.B) {
	auth, report := writeSynthetic(b, b.TempDir())
	for b.Loop() {
		ios := &iostreams.IOStreams{In: nil, Out: io.Discard, ErrOut: io.Discard}
		err := Run(&Options{IO: ios, Backend: DefaultBackend(), AuthorizationDetails: auth, CredentialReport: report,
			Format: "text", FailOn: "none", StaleDays: defaultStaleDays})
		if cmdutil.ExitCode(err) != 0 {
			b.Fatal(err)
		}
	}
}

package e2e

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/awsmfa/awsmfa/internal/lab"
)

// TestBrokerFiftyProcesses: 50 `awsmfa credential-process` processes
// started at once with a cold cache (what a Makefile running `aws` in
// parallel, or a shell loop with &, does) cost one MFA code, one
// GetSessionToken and one AssumeRole: one process asks (its mfa_process
// takes a second, like a person typing) while the 49 others wait for the
// lock and read the cache. All 50 get the same credentials.
func TestBrokerFiftyProcesses(t *testing.T) {
	const n = 50
	b := startBrokerLab(t, lab.Lifetimes{})
	anika := b.newCounter("anika")
	b.configure("role-with-mfa", "--mfa-process", b.mfaProcess(anika, "1", b.totpCmd("anika")))

	env := b.env()
	var wg sync.WaitGroup
	results := make([]cliResult, n)
	outs := make([]processOutput, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			outs[i], results[i], errs[i] = b.credentialProcessE(env, "role-with-mfa")
		}(i)
	}
	close(start)
	wg.Wait()

	keys := map[string]int{}
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("process %d: %v", i, errs[i])
			continue
		}
		if r.exit != 0 {
			t.Errorf("process %d: exit %d\n%s", i, r.exit, r.stderr)
			continue
		}
		if outs[i].Version != 1 || !strings.HasPrefix(outs[i].AccessKeyID, "ASIA") || outs[i].SessionToken == "" {
			t.Errorf("process %d: output %+v", i, outs[i].AccessKeyID)
		}
		keys[outs[i].AccessKeyID]++
	}
	if len(keys) != 1 {
		t.Errorf("the %d processes got %d different credentials: %v", n, len(keys), keys)
	}
	if got := anika.count(); got != 1 {
		t.Errorf("mfa_process ran %d times, want 1: %q", got, anika.lines())
	}
	if got := b.stat(statGST); got != 1 {
		t.Errorf("GetSessionToken served %d times, want 1", got)
	}
	if got := b.stat(statAssumeRole); got != 1 {
		t.Errorf("AssumeRole served %d times, want 1", got)
	}
	if got := b.stat("requests"); got != 2 {
		t.Errorf("the lab got %d requests, want 2 (GetSessionToken, AssumeRole)", got)
	}
}

// TestBrokerConcurrentAWSCLI: the same with the real AWS CLI: aws
// processes started at once, each running awsmfa as its
// credential_process with a cold cache, all succeed with one code.
func TestBrokerConcurrentAWSCLI(t *testing.T) {
	requireTool(t, awsCLI)
	// The AWS CLI takes ~0.5 s of CPU to start: fewer than 50 keep the
	// test short on small machines; the 50-process case is above.
	const n = 12
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.newCounter("bob")
	b.configure("bob", "--mfa-serial", b.user("bob").MFASerial, "--mfa-process", b.mfaProcess(bob, "1", b.totpCmd("bob")),
		"--region", "us-east-1", "--cli-profile", "bob-mfa")
	env := b.env()
	var wg sync.WaitGroup
	results := make([]cliResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i], errs[i] = b.runE(env, false, awsCLI, "--profile", "bob-mfa", "ec2", "describe-regions")
		}(i)
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		var out struct{ Regions []any }
		if errs[i] != nil {
			t.Errorf("aws %d: %v", i, errs[i])
		} else if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
			t.Errorf("aws %d: exit %d\n%s%s", i, r.exit, r.stdout, r.stderr)
		}
	}
	if got := bob.count(); got != 1 {
		t.Errorf("mfa_process ran %d times, want 1", got)
	}
	if got := b.stat(statGST); got != 1 {
		t.Errorf("GetSessionToken served %d times, want 1", got)
	}
	allowed := 0
	for _, rec := range b.records("ec2:DescribeRegions") {
		if rec.Decision == "allowed" && rec.Credential == "session-token-mfa" {
			allowed++
		}
	}
	if allowed != n {
		t.Errorf("%d DescribeRegions allowed with the MFA session, want %d", allowed, n)
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
)

// Role sessions of the long-running-job test last roleLifetime in the lab
// (AWS: at least 15 minutes, at most 1 hour when chained from a session);
// the jobs run for several of them.
const (
	roleLifetime   = 4 * time.Second
	sessionLimit   = 10 * time.Minute
	boto3JobLength = 18 * time.Second
	goJobLength    = 12 * time.Second
)

// TestBrokerLongRunningJob: jobs that outlive several role sessions, with
// their credentials from `awsmfa exec --server`: a boto3 job, then a Go SDK
// job, each calling STS without a pause for several role lifetimes. The
// SDKs refresh their credentials from the endpoint, which re-assumes the
// role from the cached MFA session: no call fails, the SDKs see several
// access keys, and one MFA code (one GetSessionToken) serves both jobs.
func TestBrokerLongRunningJob(t *testing.T) {
	if testing.Short() {
		t.Skip("long-running job: skipped with -short")
	}
	py := python(t)
	b := startBrokerLab(t, lab.Lifetimes{AssumeRole: roleLifetime, GetSessionToken: sessionLimit})
	_, anika := b.seedProfiles()
	pyScript := script(t, "broker_boto3.py")
	minKeys := func(job time.Duration) int { return int(job/roleLifetime) - 1 }

	start := time.Now()
	r := b.awsmfa(nil, "exec", "--server", "--profile", "role-with-mfa", "--",
		py, pyScript, "loop", b.URL, fmt.Sprint(boto3JobLength.Seconds()))
	var job struct {
		Calls         int               `json:"calls"`
		Failures      int               `json:"failures"`
		FirstFailures []json.RawMessage `json:"firstFailures"`
		DistinctKeys  int               `json:"distinctKeys"`
		Callers       []string          `json:"callers"`
		Method        string            `json:"method"`
	}
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &job) != nil {
		t.Fatalf("boto3 job: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	t.Logf("boto3 job: %d calls in %s, %d access keys, %d failures", job.Calls, time.Since(start).Round(time.Millisecond), job.DistinctKeys, job.Failures)
	if job.Failures != 0 {
		t.Errorf("boto3 job: %d of %d calls failed: %s", job.Failures, job.Calls, job.FirstFailures)
	}
	if job.Method != "container-role" || len(job.Callers) != 1 || !strings.HasSuffix(job.Callers[0], "assumed-role/cli-role") {
		t.Errorf("boto3 job: credentials from %q, callers %v", job.Method, job.Callers)
	}
	if job.DistinctKeys < minKeys(boto3JobLength) || job.Calls < 50 {
		t.Errorf("boto3 job: %d calls with %d access keys, want >= 50 calls and >= %d keys (role sessions of %s over %s)",
			job.Calls, job.DistinctKeys, minKeys(boto3JobLength), roleLifetime, boto3JobLength)
	}
	// The lab refused no expired credential.
	for _, rec := range b.records("sts:GetCallerIdentity") {
		if rec.Status != 200 {
			t.Errorf("a job call was refused: %+v", rec)
			break
		}
	}

	// The Go SDK job, from the same MFA session.
	res := b.goChild("loop:"+goJobLength.String(), "exec", "--server", "--profile", "role-with-mfa")
	t.Logf("Go SDK job: %d calls, %d access keys, %d failures", res.Calls, res.DistinctKeys, len(res.Failures))
	if res.Error != "" || len(res.Failures) != 0 {
		t.Errorf("Go SDK job: error %q, failures %q", res.Error, res.Failures)
	}
	if res.Source != "CredentialsEndpointProvider" || !strings.Contains(res.Caller, "assumed-role/cli-role/") {
		t.Errorf("Go SDK job: credentials from %q, caller %s", res.Source, res.Caller)
	}
	if res.DistinctKeys < minKeys(goJobLength) || res.Calls < 50 {
		t.Errorf("Go SDK job: %d calls with %d access keys, want >= 50 calls and >= %d keys", res.Calls, res.DistinctKeys, minKeys(goJobLength))
	}

	assumed := b.stat(statAssumeRole)
	if n := anika.count(); n != 1 {
		t.Errorf("mfa_process ran %d times, want 1", n)
	}
	if n := b.stat(statGST); n != 1 {
		t.Errorf("GetSessionToken served %d times, want 1", n)
	}
	if want := minKeys(boto3JobLength) + minKeys(goJobLength); assumed < want {
		t.Errorf("AssumeRole served %d times, want >= %d", assumed, want)
	}
	if errs := b.stat("errors"); errs != 0 {
		t.Errorf("the lab answered %d errors", errs)
	}
}

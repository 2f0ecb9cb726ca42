package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
)

// setupExample is the setup file of issue 9 and of the README.
const setupExample = `version: 1
groups:
  - name: mfa-required
    users: [alice, bob]
    requireMfa: true          # attach awsmfa's deny-without-MFA policy (BoolIfExists, self-service exceptions)
    maxMfaAgeSeconds: 43200   # optional
roles:
  - name: cli-role
    requireMfa: true          # trust policy admits trustedUsers only with MFA (seed 002/003)
    trustedUsers: [alice]
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
    maxSessionDuration: 43200
`

func writeSetupFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "setup.yaml")
	if err := os.WriteFile(path, []byte(setupExample), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// labState is what setup may change in the lab, as text to compare.
func labState(t *testing.T, b *brokerLab) string {
	t.Helper()
	st := b.Store
	var lines []string
	groups, err := st.ListGroups("")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		lines = append(lines, "group "+g.Path+g.Name)
		attached, err := st.ListAttachedGroupPolicies(g.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range attached {
			lines = append(lines, "group-policy "+g.Name+" "+a.ARN)
		}
	}
	roles, err := st.ListRoles("")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		lines = append(lines, fmt.Sprintf("role %s %d", r.Name, r.MaxSessionDuration))
		attached, err := st.ListAttachedRolePolicies(r.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range attached {
			lines = append(lines, "role-policy "+r.Name+" "+a.ARN)
		}
	}
	policies, err := st.ListPolicies(true, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		lines = append(lines, "policy "+p.ARN+" "+p.DefaultVersion)
	}
	for _, u := range []string{"admin", "alice", "bob"} {
		gs, err := st.ListGroupsForUser(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			lines = append(lines, "member "+u+" "+g.Name)
		}
		attached, err := st.ListAttachedUserPolicies(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range attached {
			lines = append(lines, "user-policy "+u+" "+a.ARN)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestSetupApplyWithAWSCLI: `awsmfa setup apply` of the example on the
// seeds' account before any MFA policy; the real AWS CLI shows the group,
// its policy and the role; alice's long-term keys are then denied, her MFA
// session allowed; she assumes cli-role with MFA through awsmfa's broker
// and through the AWS CLI's own mfa_serial profile; a second plan has no
// changes; destroy leaves the account as it was.
func TestSetupApplyWithAWSCLI(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLabScenario(t, lab.Lifetimes{}, "before-setup")
	file := writeSetupFile(t)
	before := labState(t, b)
	describe := []string{"--endpoint-url", b.URL, "--profile", "alice", "ec2", "describe-regions", "--region-names", "us-east-1"}
	if r := b.aws(nil, describe...); r.exit != 0 {
		t.Fatalf("before setup, alice's keys: exit %d\n%s", r.exit, r.stderr)
	}

	if r := b.awsmfa(nil, "setup", "plan", "-f", file, "--profile", "admin", "--detailed-exitcode"); r.exit != 2 || !strings.Contains(r.stdout, "Plan: 9 to add, 0 to change, 0 to destroy, 0 unchanged.") {
		t.Fatalf("plan: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if r := b.awsmfa(nil, "setup", "apply", "-f", file, "--profile", "admin"); r.exit != 2 || !strings.Contains(r.stderr, "not asking without a terminal: pass --yes") {
		t.Fatalf("apply without a terminal: exit %d\n%s", r.exit, r.stderr)
	}
	r := b.awsmfa(nil, "setup", "apply", "-f", file, "--profile", "admin", "--yes")
	if r.exit != 0 || !strings.Contains(r.stdout, "Apply complete: 9 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "No MFA device yet: bob.") {
		t.Errorf("apply does not name bob, who has no MFA device:\n%s", r.stdout)
	}

	// What the AWS CLI shows.
	var group struct {
		Group struct{ GroupName, Path string }
		Users []struct{ UserName string }
	}
	b.awsOK(nil, &group, "--endpoint-url", b.URL, "--profile", "admin", "iam", "get-group", "--group-name", "mfa-required")
	if group.Group.Path != "/awsmfa/" || len(group.Users) != 2 || group.Users[0].UserName != "alice" || group.Users[1].UserName != "bob" {
		t.Errorf("get-group: %+v", group)
	}
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	b.awsOK(nil, &attached, "--endpoint-url", b.URL, "--profile", "admin", "iam", "list-attached-group-policies", "--group-name", "mfa-required")
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyName != "awsmfa-require-mfa-max-age-43200" {
		t.Errorf("list-attached-group-policies: %+v", attached)
	}
	var role struct {
		Role struct {
			RoleName                 string
			MaxSessionDuration       int
			AssumeRolePolicyDocument any
			Tags                     []struct{ Key, Value string }
		}
	}
	b.awsOK(nil, &role, "--endpoint-url", b.URL, "--profile", "admin", "iam", "get-role", "--role-name", "cli-role")
	trust := fmt.Sprint(role.Role.AssumeRolePolicyDocument)
	if role.Role.MaxSessionDuration != 43200 || !strings.Contains(trust, "aws:MultiFactorAuthPresent") || !strings.Contains(trust, "user/alice") ||
		fmt.Sprint(role.Role.Tags) != "[{awsmfa:managed true}]" {
		t.Errorf("get-role: %+v", role)
	}

	// alice's long-term keys are denied; her MFA session is allowed.
	if r := b.aws(nil, describe...); r.exit != 254 || !strings.Contains(r.stderr, "UnauthorizedOperation") {
		t.Fatalf("after setup, alice's keys: exit %d\n%s", r.exit, r.stderr)
	}
	alice := b.user("alice")
	aliceCodes := b.newCounter("alice")
	b.configure("alice", "--mfa-serial", alice.MFASerial, "--mfa-process", b.mfaProcess(aliceCodes, "", b.totpCmd("alice")),
		"--region", "us-east-1", "--cli-profile", "alice-mfa")
	mfaDescribe := append([]string{}, describe...)
	mfaDescribe[3] = "alice-mfa"
	if r := b.aws(nil, mfaDescribe...); r.exit != 0 {
		t.Fatalf("alice's MFA session: exit %d\n%s", r.exit, r.stderr)
	}

	// cli-role with MFA: through awsmfa's broker ...
	appendFile(t, b.Config, fmt.Sprintf("\n[profile cli-role]\nregion = us-east-1\nendpoint_url = %s\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = alice\nmfa_serial = %s\n", b.URL, alice.MFASerial))
	b.configure("cli-role", "--mfa-process", b.mfaProcess(aliceCodes, "", b.totpCmd("alice")), "--region", "us-east-1", "--cli-profile", "cli-role-mfa")
	var ident struct{ Arn string }
	b.awsOK(nil, &ident, "--endpoint-url", b.URL, "--profile", "cli-role-mfa", "sts", "get-caller-identity")
	if !strings.HasPrefix(ident.Arn, "arn:aws:sts::123456789012:assumed-role/cli-role/") {
		t.Errorf("cli-role through awsmfa: %s", ident.Arn)
	}
	roleDescribe := append([]string{}, describe...)
	roleDescribe[3] = "cli-role-mfa"
	if r := b.aws(nil, roleDescribe...); r.exit != 0 {
		t.Errorf("cli-role through awsmfa, describe-regions: exit %d\n%s", r.exit, r.stderr)
	}
	// ... and through the AWS CLI's own mfa_serial profile and prompt.
	out := runWithPrompt(t, &awsRunner{t: t, env: b.env()}, b.code("alice", 30*time.Second),
		"--endpoint-url", b.URL, "--profile", "cli-role", "sts", "get-caller-identity")
	if !strings.Contains(out, "Enter MFA code for "+alice.MFASerial+":") || !strings.Contains(out, "assumed-role/cli-role/") {
		t.Errorf("cli-role through the AWS CLI's prompt:\n%s", out)
	}
	if ar := b.lastRecord("sts:AssumeRole"); ar.Decision != "allowed" || ar.Policy != "trust policy of role/cli-role" {
		t.Errorf("AssumeRole record %+v", ar)
	}

	if r := b.awsmfa(nil, "setup", "plan", "-f", file, "--profile", "admin", "--detailed-exitcode"); r.exit != 0 || !strings.Contains(r.stdout, "No changes.") {
		t.Errorf("second plan: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if r := b.awsmfa(nil, "setup", "destroy", "--profile", "admin", "--yes"); r.exit != 0 || !strings.Contains(r.stdout, "Destroy complete: 0 added, 0 changed, 9 destroyed.") {
		t.Fatalf("destroy: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if got := labState(t, b); got != before {
		t.Errorf("after destroy:\n%s\nbefore:\n%s", got, before)
	}
	if r := b.aws(nil, describe...); r.exit != 0 {
		t.Errorf("after destroy, alice's keys: exit %d\n%s", r.exit, r.stderr)
	}
}

// killProxy forwards requests to the lab and, once the lab has answered
// the killAt-th IAM write request, kills the awsmfa process with SIGKILL
// instead of passing the answer on: the step was made, and the process
// never learned it.
type killProxy struct {
	target  *url.URL
	killAt  int
	mu      sync.Mutex
	writes  []string
	proc    *os.Process
	killed  bool
	handler http.Handler
}

func isWriteAction(action string) bool {
	for _, p := range []string{"Create", "Delete", "Add", "Remove", "Attach", "Detach", "Update", "Tag", "Untag", "Put", "Set"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

func (p *killProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target.String()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	req.Host = r.Host // signed
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if isWriteAction(action) {
		p.mu.Lock()
		p.writes = append(p.writes, action)
		kill := len(p.writes) == p.killAt && p.proc != nil
		if kill {
			_ = p.proc.Kill()
			p.killed = true
		}
		p.mu.Unlock()
		if kill {
			http.Error(w, "killed", http.StatusBadGateway)
			return
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// TestSetupApplyKilledAtEveryStep: apply killed with SIGKILL right after
// each of its IAM changes (the lab made it, awsmfa never heard back), then
// apply again: the account ends exactly as after an uninterrupted apply,
// and a plan has no changes. Then destroy is killed at every step the
// same way, and destroy again restores the account.
func TestSetupApplyKilledAtEveryStep(t *testing.T) {
	b := startBrokerLabScenario(t, lab.Lifetimes{}, "before-setup")
	file := writeSetupFile(t)
	target, _ := url.Parse(b.URL)
	proxy := &killProxy{target: target}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	admin := b.user("admin")
	appendFile(t, b.Config, fmt.Sprintf("\n[profile admin-via-proxy]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		srv.URL, admin.AccessKeys[0].ID, admin.AccessKeys[0].Secret))
	b.mu.Lock()
	b.secrets[admin.AccessKeys[0].Secret] = true
	b.mu.Unlock()

	before := labState(t, b)
	if r := b.awsmfa(nil, "setup", "apply", "-f", file, "--profile", "admin", "--yes"); r.exit != 0 {
		t.Fatalf("apply: exit %d\n%s", r.exit, r.stderr)
	}
	applied := labState(t, b)
	if r := b.awsmfa(nil, "setup", "destroy", "--profile", "admin", "--yes"); r.exit != 0 {
		t.Fatalf("destroy: exit %d\n%s", r.exit, r.stderr)
	}

	var lastStderr string
	// killed runs `awsmfa setup ARGS --profile admin-via-proxy --yes`,
	// killed after the k-th change; it reports whether the kill happened.
	killed := func(k int, args ...string) bool {
		t.Helper()
		proxy.mu.Lock()
		proxy.killAt, proxy.writes, proxy.killed, proxy.proc = k, nil, false, nil
		proxy.mu.Unlock()
		cmd := exec.Command(b.Bin, append(args, "--profile", "admin-via-proxy", "--yes")...)
		cmd.Env = b.env()
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		proxy.mu.Lock()
		proxy.proc = cmd.Process
		proxy.mu.Unlock()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(brokerCmdTimeout):
			_ = cmd.Process.Kill()
			t.Fatalf("%v killed at %d: no end within %s\n%s", args, k, brokerCmdTimeout, errb.String())
		}
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		b.keep(cliResult{stderr: errb.String()}, false)
		lastStderr = errb.String()
		return proxy.killed
	}

	for k := 1; ; k++ {
		if !killed(k, "setup", "apply", "-f", file) {
			if k != 10 {
				t.Errorf("apply made %d changes, want 9\n%s", k-1, lastStderr)
			}
			break
		}
		if r := b.awsmfa(nil, "setup", "apply", "-f", file, "--profile", "admin", "--yes"); r.exit != 0 {
			t.Fatalf("apply after a kill at step %d: exit %d\n%s", k, r.exit, r.stderr)
		}
		if got := labState(t, b); got != applied {
			t.Fatalf("apply after a kill at step %d:\n%s\nwant:\n%s", k, got, applied)
		}
		if r := b.awsmfa(nil, "setup", "plan", "-f", file, "--profile", "admin", "--detailed-exitcode"); r.exit != 0 {
			t.Fatalf("plan after a kill at step %d: exit %d\n%s%s", k, r.exit, r.stdout, r.stderr)
		}
		if k < 9 {
			if r := b.awsmfa(nil, "setup", "destroy", "--profile", "admin", "--yes"); r.exit != 0 {
				t.Fatalf("destroy: exit %d\n%s", r.exit, r.stderr)
			}
		}
	}
	// The last loop left the setup applied (the run that was not killed).
	for k := 1; ; k++ {
		if !killed(k, "setup", "destroy") {
			if k != 10 {
				t.Errorf("destroy made %d changes, want 9\n%s", k-1, lastStderr)
			}
			break
		}
		if r := b.awsmfa(nil, "setup", "destroy", "--profile", "admin", "--yes"); r.exit != 0 {
			t.Fatalf("destroy after a kill at step %d: exit %d\n%s", k, r.exit, r.stderr)
		}
		if got := labState(t, b); got != before {
			t.Fatalf("destroy after a kill at step %d:\n%s\nwant:\n%s", k, got, before)
		}
		if r := b.awsmfa(nil, "setup", "apply", "-f", file, "--profile", "admin", "--yes"); r.exit != 0 {
			t.Fatalf("apply: exit %d\n%s", r.exit, r.stderr)
		}
	}
}

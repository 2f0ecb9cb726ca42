package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oathCodes returns oathtool's TOTP codes for the base32 seed at the steps
// of t-30 s, t and t+30 s: an implementation independent of the lab's.
func oathCodes(t *testing.T, seed string, at time.Time) [3]string {
	t.Helper()
	oath := requireTool(t, "oathtool")
	out, err := exec.Command(oath, "--totp", "-b", seed, "-N", fmt.Sprintf("@%d", at.Add(-30*time.Second).Unix()), "-w", "2").Output()
	if err != nil {
		t.Fatalf("oathtool: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		t.Fatalf("oathtool output %q", out)
	}
	return [3]string{f[0], f[1], f[2]}
}

// TestAWSCLISetupWorkflow is the MFA setup of the seeds, done with the real
// AWS CLI v2: an administrator creates a user in the BoolIfExists group; the
// user creates and enables a virtual MFA device (codes from oathtool), is
// denied until they trade a code for a session token, then allowed. Also
// the administrator's read calls: pagination, authorization details, the
// credential report.
func TestAWSCLISetupWorkflow(t *testing.T) {
	e := startLab(t)
	a := newAWS(t, e)
	admin := []string{"--profile", "admin"}
	withAdmin := func(args ...string) []string { return append(append([]string{}, admin...), args...) }

	var user struct {
		User struct{ UserName, Arn, UserId string }
	}
	a.ok(nil, &user, withAdmin("iam", "create-user", "--user-name", "carol")...)
	if user.User.Arn != "arn:aws:iam::123456789012:user/carol" || !strings.HasPrefix(user.User.UserId, "AIDA") {
		t.Fatalf("create-user: %+v", user)
	}
	a.fails(nil, "EntityAlreadyExists", "carol", withAdmin("iam", "create-user", "--user-name", "carol")...)
	a.ok(nil, nil, withAdmin("iam", "add-user-to-group", "--group-name", "mfa-ifexists", "--user-name", "carol")...)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
	}
	a.ok(nil, &key, withAdmin("iam", "create-access-key", "--user-name", "carol")...)
	if !strings.HasPrefix(key.AccessKey.AccessKeyId, "AKIA") || len(key.AccessKey.SecretAccessKey) != 40 || key.AccessKey.Status != "Active" {
		t.Fatalf("create-access-key: %s %d %s", key.AccessKey.AccessKeyId, len(key.AccessKey.SecretAccessKey), key.AccessKey.Status)
	}
	carol := keyEnv(key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey)

	// Carol, without MFA: denied by the group's BoolIfExists deny, except
	// the MFA self-service it leaves out.
	a.fails(carol, "UnauthorizedOperation", "explicit deny", "ec2", "describe-regions")
	dir := t.TempDir()
	seedFile, qrFile := filepath.Join(dir, "seed.txt"), filepath.Join(dir, "qr.png")
	var dev struct{ VirtualMFADevice struct{ SerialNumber string } }
	a.ok(carol, &dev, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "carol",
		"--outfile", seedFile, "--bootstrap-method", "Base32StringSeed")
	serial := dev.VirtualMFADevice.SerialNumber
	if serial != "arn:aws:iam::123456789012:mfa/carol" {
		t.Fatalf("serial %q", serial)
	}
	seed, err := os.ReadFile(seedFile)
	if err != nil || len(bytes.TrimSpace(seed)) < 16 {
		t.Fatalf("seed file: %v %q", err, seed)
	}
	// Another user's device name: refused by carol's own policy.
	a.fails(carol, "AccessDenied", "iam:CreateVirtualMFADevice", "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "not-carol",
		"--outfile", qrFile, "--bootstrap-method", "QRCodePNG")
	// The admin can create one with a QR code.
	a.ok(nil, nil, withAdmin("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "spare", "--outfile", qrFile, "--bootstrap-method", "QRCodePNG")...)
	if png, err := os.ReadFile(qrFile); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("QR code file is not a PNG: %v %q", err, png[:min(8, len(png))])
	}

	// Enable with two consecutive codes from oathtool; wrong ones first.
	codes := oathCodes(t, string(bytes.TrimSpace(seed)), time.Now())
	a.fails(carol, "InvalidAuthenticationCode", "Authentication code for device is not valid.", "iam", "enable-mfa-device",
		"--user-name", "carol", "--serial-number", serial, "--authentication-code1", codes[1], "--authentication-code2", codes[0])
	a.ok(carol, nil, "iam", "enable-mfa-device", "--user-name", "carol", "--serial-number", serial,
		"--authentication-code1", codes[0], "--authentication-code2", codes[1])
	var devs struct {
		MFADevices []struct{ UserName, SerialNumber string }
	}
	a.ok(carol, &devs, "iam", "list-mfa-devices")
	if len(devs.MFADevices) != 1 || devs.MFADevices[0].SerialNumber != serial || devs.MFADevices[0].UserName != "carol" {
		t.Errorf("list-mfa-devices: %+v", devs)
	}
	// `awsmfa lab totp`'s store agrees with oathtool.
	if c, err := e.Store.CurrentCode(serial, time.Now()); err != nil || (c != codes[1] && c != codes[2]) {
		t.Errorf("lab code %s (%v), oathtool %v", c, err, codes)
	}
	// A code used to enable the device cannot be used again.
	a.fails(carol, "AccessDenied", msgInvalidCode, "sts", "get-session-token", "--serial-number", serial, "--token-code", codes[1])
	var sess cliCreds
	a.ok(carol, &sess, "sts", "get-session-token", "--serial-number", serial, "--token-code", codes[2])
	a.ok(sess.env(), nil, "ec2", "describe-regions")

	// The administrator's view.
	var page struct {
		Users     []struct{ UserName string }
		NextToken string
	}
	a.ok(nil, &page, withAdmin("iam", "list-users", "--max-items", "2")...)
	if len(page.Users) != 2 || page.NextToken == "" {
		t.Fatalf("list-users --max-items 2: %+v", page)
	}
	seen := map[string]bool{page.Users[0].UserName: true, page.Users[1].UserName: true}
	for page.NextToken != "" {
		tok := page.NextToken
		page.NextToken = ""
		a.ok(nil, &page, withAdmin("iam", "list-users", "--max-items", "2", "--starting-token", tok)...)
		for _, u := range page.Users {
			if seen[u.UserName] {
				t.Errorf("user %s listed twice across pages", u.UserName)
			}
			seen[u.UserName] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("paginated users: %v, want 5", seen)
	}
	var vdevs struct {
		VirtualMFADevices []struct{ SerialNumber string }
	}
	a.ok(nil, &vdevs, withAdmin("iam", "list-virtual-mfa-devices", "--assignment-status", "Unassigned")...)
	if len(vdevs.VirtualMFADevices) != 1 || !strings.HasSuffix(vdevs.VirtualMFADevices[0].SerialNumber, ":mfa/spare") {
		t.Errorf("unassigned devices: %+v", vdevs)
	}
	var details struct {
		UserDetailList []struct {
			UserName  string
			GroupList []string
		}
		GroupDetailList []struct {
			GroupName               string
			GroupPolicyList         []struct{ PolicyName string }
			AttachedManagedPolicies []struct{ PolicyName string }
		}
		RoleDetailList []struct {
			RoleName                 string
			AssumeRolePolicyDocument any
		}
		Policies []struct{ PolicyName string }
	}
	a.ok(nil, &details, withAdmin("iam", "get-account-authorization-details")...)
	groups := map[string]bool{}
	for _, g := range details.GroupDetailList {
		groups[g.GroupName] = true
	}
	if len(details.UserDetailList) != 5 || !groups["mfa-bool"] || !groups["mfa-ifexists"] || len(details.RoleDetailList) != 1 ||
		details.RoleDetailList[0].AssumeRolePolicyDocument == nil {
		t.Errorf("get-account-authorization-details: %d users, groups %v, %d roles", len(details.UserDetailList), groups, len(details.RoleDetailList))
	}
	// The credential report: generate until COMPLETE, then read the CSV.
	var state struct{ State string }
	for i := 0; i < 20; i++ {
		a.ok(nil, &state, withAdmin("iam", "generate-credential-report")...)
		if state.State == "COMPLETE" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var report struct{ Content, ReportFormat string }
	a.ok(nil, &report, withAdmin("iam", "get-credential-report")...)
	raw, err := base64.StdEncoding.DecodeString(report.Content)
	if err != nil {
		raw = []byte(report.Content)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil || len(rows) < 6 || rows[0][0] != "user" {
		t.Fatalf("credential report (%s): %v\n%s", report.ReportFormat, err, raw)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		if r[col["user"]] == "carol" && r[col["mfa_active"]] != "true" {
			t.Errorf("carol's report row: mfa_active %s", r[col["mfa_active"]])
		}
		if r[col["user"]] == "admin" && r[col["mfa_active"]] != "false" {
			t.Errorf("admin's report row: mfa_active %s", r[col["mfa_active"]])
		}
	}
	e.stillServing(t)
}

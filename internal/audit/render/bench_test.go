package render

import (
	"fmt"
	"io"
	"testing"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// bigReport is 5,000 users in a few kinds of rows, with two findings per
// acting user and one per user without a device.
func bigReport() *audit.Report {
	rep := &audit.Report{Account: acct, Credentials: allCreds}
	for i := range 5000 {
		name := fmt.Sprintf("user%04d", i)
		u := row(name, 1, audit.MFARequired, audit.MFARequired, audit.MFARequired, audit.ActsWithoutMFA)
		if i%10 == 0 {
			u = row(name, 0, audit.ActsWithoutMFA, audit.ActsWithoutMFA, audit.ActsWithoutMFA, audit.NotApplicable)
			for _, c := range []audit.Credential{audit.CredAccessKeys, audit.CredConsolePassword} {
				rep.Findings = append(rep.Findings, audit.Finding{Rule: audit.RuleKeysActWithoutMFA, Severity: audit.SeverityError,
					Principal: u.ARN, Credential: c, Actions: []string{"ec2:RunInstances", "s3:GetObject"}, ActionCount: 377,
					Deciding: boolDeny(), Message: name + " acts without MFA.", Fix: "Use BoolIfExists."})
			}
			rep.Findings = append(rep.Findings, audit.Finding{Rule: audit.RuleNoMFADevice, Severity: audit.SeverityWarning,
				Principal: u.ARN, Message: name + " has no MFA device.", Fix: "Enroll one."})
		}
		rep.Users = append(rep.Users, u)
	}
	return rep
}

func BenchmarkRender5000Users(b *testing.B) {
	rep := bigReport()
	for name, r := range map[string]func(io.Writer) error{
		"text":  func(w io.Writer) error { return Text(w, rep, Options{}) },
		"json":  func(w io.Writer) error { return JSON(w, rep) },
		"sarif": func(w io.Writer) error { return SARIF(w, rep, Options{Cwd: "/w"}) },
		"html":  func(w io.Writer) error { return HTML(w, rep, Options{}) },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := r(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

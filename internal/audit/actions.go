package audit

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/awsmfa/awsmfa/internal/policygen"
)

//go:embed actions.txt
var builtinActions []byte

// Limits of an actions file (--actions FILE): bounded time and memory
// whatever the input.
const (
	// MaxActionsFileSize is the largest actions file read.
	MaxActionsFileSize = 4 << 20
	// MaxActions is the most actions one file may list.
	MaxActions = 50000
	// maxActionLen bounds one action name: IAM's longest action names are
	// well under 128 characters.
	maxActionLen = 256
)

// DefaultActions returns the built-in action set (actions.txt), in file
// order. The slice is new on every call.
func DefaultActions() []string {
	acts, err := ParseActions(bytes.NewReader(builtinActions), "actions.txt")
	if err != nil {
		// The file is embedded and tested: this is a build defect.
		panic("audit: built-in actions.txt: " + err.Error())
	}
	return acts
}

// ParseActions reads an action list: one "service:Action" per line, '#'
// starts a comment, blank lines are ignored. Names must be literal (no
// wildcards: the list is what policy wildcards are matched against);
// duplicates (ignoring case, as IAM compares action names) are dropped.
// Errors name the file and line.
func ParseActions(r io.Reader, name string) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxActionsFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxActionsFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxActionsFileSize)
	}
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxActionsFileSize+1)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if err := checkActionName(text); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		key := strings.ToLower(text)
		if seen[key] {
			continue
		}
		if len(out) >= MaxActions {
			return nil, fmt.Errorf("%s:%d: more than %d actions", name, line, MaxActions)
		}
		seen[key] = true
		out = append(out, text)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no actions (one service:Action per line)", name)
	}
	return out, nil
}

// ParseActionsData is ParseActions on data read from file.
func ParseActionsData(data []byte, file string) ([]string, error) {
	return ParseActions(bytes.NewReader(data), file)
}

var errActionShape = errors.New("not a service:Action name")

// checkActionName accepts "service:Action": a service prefix of lower-case
// letters, digits and '-', and an action of letters, digits, '-' and '_'
// (IAM action names are alphanumeric; apigateway's are HTTP verbs).
func checkActionName(s string) error {
	if len(s) > maxActionLen {
		return fmt.Errorf("action name longer than %d characters", maxActionLen)
	}
	svc, act, ok := strings.Cut(s, ":")
	if !ok || svc == "" || act == "" {
		return fmt.Errorf("%q: %w", s, errActionShape)
	}
	if strings.ContainsAny(s, "*?") {
		return fmt.Errorf("%q: wildcards are not allowed here: list literal actions (policy wildcards are matched against them)", s)
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("%q: service prefix %q has character %q: %w", s, svc, c, errActionShape)
		}
	}
	for i := 0; i < len(act); i++ {
		c := act[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%q: action has character %q: %w", s, c, errActionShape)
		}
	}
	return nil
}

// selfServiceList lists the actions that do not count as acting without MFA:
// what a user needs to see and enroll their own MFA device, change an
// initial password and trade keys and a code for an MFA session. It is the
// union of the exception lists of AWS's own policy ("IAM: Allows IAM users
// to self-manage an MFA device",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html),
// of the seeds (examples/seed-000-bool-deny.json, the Knowledge Center
// policy; examples/seed-004-boolifexists-group.json) and of awsmfa's
// self-manage-mfa template (internal/policygen), plus
// sts:GetCallerIdentity, which no policy can deny. iam:DeactivateMFADevice
// is not here: AWS's example allows it only with MFA.
//
// The exception is by action name whatever the resource: these are the
// actions AWS's recommended deny leaves open to everyone, so allowing them
// without MFA is the recommended setup, not a hole in it.
var selfServiceList = sync.OnceValue(func() []string {
	return append(policygen.MFABootstrapActions(), // AWS's self-manage example, as policygen writes it
		// Seed 000 (Knowledge Center) adds these.
		"iam:DeleteVirtualMFADevice",
		"iam:GetAccountSummary",
		"iam:ListAccessKeys",
		"iam:ListAccountAliases",
		"iam:ListSSHPublicKeys",
		"iam:ListServiceSpecificCredentials",
		// Not controlled by policies.
		"sts:GetCallerIdentity",
	)
})

var selfService = sync.OnceValue(func() map[string]bool { return lowerSet(selfServiceList()) })

// SelfServiceActions returns the MFA self-service actions (see
// selfServiceList), sorted.
func SelfServiceActions() []string {
	out := append([]string(nil), selfServiceList()...)
	sort.Strings(out)
	return out
}

func lowerSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

// IsSelfService reports whether action is an MFA self-service action.
func IsSelfService(action string) bool { return selfService()[strings.ToLower(action)] }

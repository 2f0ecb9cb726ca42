package account

import (
	"fmt"
	"strconv"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// MaxSCPFileBytes is the largest --scp file ParseSCPLevel reads. An SCP is
// at most 5,120 characters (10,240 with the raised quota) and at most five
// are attached to one root, OU or account
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html);
// describe-policy output escapes the document into a string, about
// doubling it.
const MaxSCPFileBytes = 1 << 20

// SCPFile is one --scp FILE argument: its name and content.
type SCPFile struct {
	Name string
	Data []byte
}

// LoadSCPs builds the organization path from --scp files, one per level,
// the root first, then each OU down to the account, then the account
// itself: an action is allowed only when some SCP of every level allows
// it, so each file must hold every SCP attached at its level (FullAWSAccess
// included, where it is attached). See ParseSCPLevel for what a file may
// hold. No files give a nil Organization. Whether the account is the
// management account (where SCPs do not apply) the files cannot say:
// ManagementAccount is false.
func LoadSCPs(files []SCPFile) (*Organization, error) {
	if len(files) == 0 {
		return nil, nil
	}
	org := &Organization{}
	var errs policy.ErrorList
	for _, f := range files {
		lvl, err := ParseSCPLevel(f.Name, f.Data)
		if err != nil {
			if list, ok := err.(policy.ErrorList); ok {
				errs = append(errs, list...)
			} else {
				errs = append(errs, &policy.Error{File: f.Name, Msg: err.Error()})
			}
			continue
		}
		org.Levels = append(org.Levels, lvl)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return org, nil
}

// ParseSCPLevel reads one --scp file: the policies attached at one level
// of the organization. The file holds an SCP document ({"Version": ...,
// "Statement": ...}), the output of `aws organizations describe-policy`
// ({"Policy": {"PolicySummary": {...}, "Content": "..."}}; a
// RESOURCE_CONTROL_POLICY goes to the level's RCPs), or a JSON list of
// either for several policies at the level. The level's Name is the file
// name. Errors are a policy.ErrorList naming file, line and column.
func ParseSCPLevel(file string, data []byte) (lvl OrgLevel, err error) {
	defer func() {
		if r := recover(); r != nil {
			lvl, err = OrgLevel{}, policy.ErrorList{{File: file, Msg: fmt.Sprintf("internal error reading the SCP file: %v", r)}}
		}
	}()
	if len(data) > MaxSCPFileBytes {
		return OrgLevel{}, policy.ErrorList{{File: file, Limit: true, Msg: fmt.Sprintf(
			"file is %d bytes, more than the %d KiB limit for an SCP file", len(data), MaxSCPFileBytes>>10)}}
	}
	root, err := policy.ParseJSON(file, data)
	if err != nil {
		return OrgLevel{}, err
	}
	l := newLoader(file, data)
	e := &elem{l: l, data: data, base: policy.Pos{Line: 1, Column: 1}}
	lvl = OrgLevel{Name: file}
	if root.Kind == policy.NodeArray {
		if len(root.Items) == 0 {
			l.problem(e.at(root, ""), "empty list: expected SCP documents or aws organizations describe-policy outputs")
		}
		for i, it := range root.Items {
			e.orgPolicy(it, "["+strconv.Itoa(i)+"]", &lvl)
		}
	} else {
		e.orgPolicy(root, "", &lvl)
	}
	if len(l.errs) > 0 {
		return OrgLevel{}, l.errs
	}
	return lvl, nil
}

// orgPolicy reads one SCP document or describe-policy output at path.
func (e *elem) orgPolicy(n *policy.Node, path string, lvl *OrgLevel) {
	name := e.l.file
	if path != "" {
		name += path
	}
	if n.Kind != policy.NodeObject {
		e.l.problem(e.at(n, path), "expected an SCP document or the output of aws organizations describe-policy, not %s", article(n.Kind))
		return
	}
	if e.get(n, "Statement") != nil {
		if d := e.document(n, path, policy.KindSCP); d != nil {
			if path == "" {
				d.Text = string(trimBOM(e.data))
			}
			lvl.SCPs = append(lvl.SCPs, OrgPolicy{Name: name, Document: d})
		}
		return
	}
	inner, innerPath := n, path
	if p := e.typed(n, path, "Policy", policy.NodeObject, "an object"); p != nil {
		inner, innerPath = p, joinPath(path, "Policy")
	}
	content := e.get(inner, "Content")
	if content == nil {
		e.l.problem(e.at(n, path), "expected an SCP document (with a Statement) or the output of aws organizations describe-policy (with Policy.Content)")
		return
	}
	op := OrgPolicy{Name: name}
	kind := policy.KindSCP
	if s := e.typed(inner, innerPath, "PolicySummary", policy.NodeObject, "an object"); s != nil {
		sp := joinPath(innerPath, "PolicySummary")
		op.ID = e.str(s, sp, "Id", false)
		op.ARN = e.str(s, sp, "Arn", false)
		if nm := e.str(s, sp, "Name", false); nm != "" {
			op.Name = nm
		}
		switch t := e.str(s, sp, "Type", false); t {
		case "", "SERVICE_CONTROL_POLICY":
		case "RESOURCE_CONTROL_POLICY":
			kind = policy.KindRCP
		default:
			e.l.problem(e.at(e.get(s, "Type"), sp+".Type"), "%s is a %s, not a service or resource control policy", op.Name, t)
			return
		}
	}
	op.Document = e.document(content, joinPath(innerPath, "Content"), kind)
	if op.Document == nil {
		return
	}
	if kind == policy.KindRCP {
		lvl.RCPs = append(lvl.RCPs, op)
	} else {
		lvl.SCPs = append(lvl.SCPs, op)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

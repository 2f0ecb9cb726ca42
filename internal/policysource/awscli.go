package policysource

import "github.com/awsmfa/awsmfa/internal/policy"

// isAWSCLI reports whether root is the JSON output of an AWS CLI command
// that returns policies:
//
//   - aws iam get-policy-version: {"PolicyVersion": {"Document": ...}}
//   - aws iam get-role: {"Role": {"AssumeRolePolicyDocument": ...}}
//   - aws iam get-role-policy, get-user-policy, get-group-policy:
//     {"PolicyName": ..., "PolicyDocument": ...}
//   - aws iam get-account-authorization-details: {"UserDetailList": ...,
//     "GroupDetailList": ..., "RoleDetailList": ..., "Policies": ...}
//
// The CLI prints documents as objects; the IAM API returns them
// URL-encoded, which is decoded too (with approximate positions).
func isAWSCLI(root *policy.Node) bool {
	if root == nil || root.Kind != policy.NodeObject || member(root, "Statement") != nil {
		return false
	}
	if member(member(root, "PolicyVersion"), "Document") != nil ||
		member(member(root, "Role"), "AssumeRolePolicyDocument") != nil ||
		(member(root, "PolicyDocument") != nil && member(root, "PolicyName") != nil) {
		return true
	}
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList"} {
		if v := member(root, k); v != nil && v.Kind == policy.NodeArray {
			return true
		}
	}
	return false
}

func (x *extractor) awsCLI(root *policy.Node) {
	if v := member(member(root, "PolicyVersion"), "Document"); v != nil {
		x.add("PolicyVersion.Document", v, where{kind: policy.KindIdentity, store: StoreManaged}, false)
	}
	if v := member(member(root, "Role"), "AssumeRolePolicyDocument"); v != nil {
		x.add("Role.AssumeRolePolicyDocument", v, where{kind: policy.KindTrust}, false)
	}
	if v := member(root, "PolicyDocument"); v != nil {
		// get-user-policy, get-group-policy and get-role-policy name the
		// entity the inline policy is embedded in.
		w := where{kind: policy.KindIdentity}
		for _, e := range []struct {
			key   string
			store Store
		}{{"UserName", StoreInlineUser}, {"GroupName", StoreInlineGroup}, {"RoleName", StoreInlineRole}} {
			if name, ok := stringMember(root, e.key); ok {
				w.store, w.entity = e.store, e.key+" "+name
			}
		}
		x.add("PolicyDocument", v, w, false)
	}
	inline := func(list string, entries string, store Store) {
		l := member(root, list)
		if l == nil || l.Kind != policy.NodeArray {
			return
		}
		for i, e := range l.Items {
			p := joinIndex(list, i)
			if list == "RoleDetailList" {
				x.add(joinKey(p, "AssumeRolePolicyDocument"), member(e, "AssumeRolePolicyDocument"), where{kind: policy.KindTrust}, false)
			}
			pl := member(e, entries)
			if pl == nil || pl.Kind != policy.NodeArray {
				continue
			}
			for j, it := range pl.Items {
				x.add(joinKey(joinIndex(joinKey(p, entries), j), "PolicyDocument"), member(it, "PolicyDocument"), where{kind: policy.KindIdentity, store: store, entity: p}, false)
			}
		}
	}
	inline("UserDetailList", "UserPolicyList", StoreInlineUser)
	inline("GroupDetailList", "GroupPolicyList", StoreInlineGroup)
	inline("RoleDetailList", "RolePolicyList", StoreInlineRole)
	// Managed policies: only the default version is in force.
	if pols := member(root, "Policies"); pols != nil && pols.Kind == policy.NodeArray {
		for i, p := range pols.Items {
			vl := member(p, "PolicyVersionList")
			if vl == nil || vl.Kind != policy.NodeArray {
				continue
			}
			for j, v := range vl.Items {
				if d := member(v, "IsDefaultVersion"); d == nil || d.Kind != policy.NodeBool || d.Str != "true" {
					continue
				}
				x.add(joinKey(joinIndex(joinKey(joinIndex("Policies", i), "PolicyVersionList"), j), "Document"), member(v, "Document"), where{kind: policy.KindIdentity, store: StoreManaged}, false)
			}
		}
	}
}

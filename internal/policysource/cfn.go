package policysource

import (
	"strings"
	"sync"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// isCloudFormation reports whether root is a CloudFormation template: it
// has AWSTemplateFormatVersion, or a Resources object whose entries have a
// Type such as "AWS::IAM::Role".
func isCloudFormation(root *policy.Node) bool {
	if root == nil || root.Kind != policy.NodeObject {
		return false
	}
	if member(root, "AWSTemplateFormatVersion") != nil {
		return true
	}
	res := member(root, "Resources")
	if res == nil || res.Kind != policy.NodeObject {
		return false
	}
	for _, m := range res.Members {
		if t, ok := stringMember(m.Value, "Type"); ok && (strings.HasPrefix(t, "AWS::") || strings.HasPrefix(t, "Custom::")) {
			return true
		}
	}
	return false
}

// cfnProp is a property of a resource type that holds a policy document.
type cfnProp struct {
	// name is the property; with list set, the property is a list of
	// objects whose sub property holds the document (Policies[].PolicyDocument).
	name  string
	list  bool
	sub   string
	kind  policy.Kind
	store Store
}

// cfnPolicyProps lists where each resource type keeps its policies. Not
// listed on purpose: ManagedPolicyArns and PermissionsBoundary (ARNs, not
// documents).
var cfnPolicyProps = sync.OnceValue(func() map[string][]cfnProp {
	return map[string][]cfnProp{
		// AWS::IAM::Policy is an inline policy embedded in each user, group and
		// role it lists (its store is decided by iamPolicyStore).
		"AWS::IAM::Policy":        {{name: "PolicyDocument", kind: policy.KindIdentity}},
		"AWS::IAM::ManagedPolicy": {{name: "PolicyDocument", kind: policy.KindIdentity, store: StoreManaged}},
		"AWS::IAM::RolePolicy":    {{name: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineRole}},
		"AWS::IAM::UserPolicy":    {{name: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineUser}},
		"AWS::IAM::GroupPolicy":   {{name: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineGroup}},
		"AWS::IAM::Role": {
			{name: "AssumeRolePolicyDocument", kind: policy.KindTrust},
			{name: "Policies", list: true, sub: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineRole},
		},
		"AWS::IAM::User":                      {{name: "Policies", list: true, sub: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineUser}},
		"AWS::IAM::Group":                     {{name: "Policies", list: true, sub: "PolicyDocument", kind: policy.KindIdentity, store: StoreInlineGroup}},
		"AWS::S3::BucketPolicy":               {{name: "PolicyDocument", kind: policy.KindResource}},
		"AWS::S3::AccessPoint":                {{name: "Policy", kind: policy.KindResource}},
		"AWS::SQS::QueuePolicy":               {{name: "PolicyDocument", kind: policy.KindResource}},
		"AWS::SNS::TopicPolicy":               {{name: "PolicyDocument", kind: policy.KindResource}},
		"AWS::KMS::Key":                       {{name: "KeyPolicy", kind: policy.KindResource}},
		"AWS::KMS::ReplicaKey":                {{name: "KeyPolicy", kind: policy.KindResource}},
		"AWS::SecretsManager::ResourcePolicy": {{name: "ResourcePolicy", kind: policy.KindResource}},
		"AWS::ECR::Repository":                {{name: "RepositoryPolicyText", kind: policy.KindResource}},
		"AWS::EFS::FileSystem":                {{name: "FileSystemPolicy", kind: policy.KindResource}},
		"AWS::Logs::ResourcePolicy":           {{name: "PolicyDocument", kind: policy.KindResource}},
		"AWS::SSO::PermissionSet":             {{name: "InlinePolicy", kind: policy.KindIdentity}},
		"AWS::Organizations::Policy":          {{name: "Content", kind: policy.KindUnknown}},
	}
})

func (x *extractor) cloudFormation(root *policy.Node) {
	res := member(root, "Resources")
	if res == nil || res.Kind != policy.NodeObject {
		return
	}
	for _, m := range res.Members {
		typ, _ := stringMember(m.Value, "Type")
		props := cfnPolicyProps()[typ]
		if len(props) == 0 {
			continue
		}
		base := joinKey(joinKey("Resources", m.Key), "Properties")
		properties := resolveIntrinsics(member(m.Value, "Properties"))
		if properties == nil || properties.Kind != policy.NodeObject {
			continue
		}
		for _, p := range props {
			v := member(properties, p.name)
			if v == nil {
				continue
			}
			path := joinKey(base, p.name)
			w := where{kind: p.kind, store: p.store}
			switch typ {
			case "AWS::Organizations::Policy":
				var ok bool
				if w.kind, ok = organizationsKind(properties, v); !ok {
					continue
				}
			case "AWS::IAM::Policy":
				w.store = iamPolicyStore(properties)
			}
			if !p.list {
				x.add(path, v, w, false)
				continue
			}
			if v.Kind != policy.NodeArray {
				continue
			}
			// The inline policies of one user, group or role.
			w.entity = joinKey("Resources", m.Key)
			for i, it := range v.Items {
				x.add(joinKey(joinIndex(path, i), p.sub), member(it, p.sub), w, false)
			}
		}
	}
}

// iamPolicyStore decides the store of an AWS::IAM::Policy, an inline policy
// embedded in every user, group and role it lists: the smallest quota of
// those applies (a user's inline policies are limited most, then a
// group's, then a role's).
func iamPolicyStore(props *policy.Node) Store {
	for _, e := range []struct {
		prop  string
		store Store
	}{{"Users", StoreInlineUser}, {"Groups", StoreInlineGroup}, {"Roles", StoreInlineRole}} {
		if l := member(props, e.prop); l != nil && (l.Kind != policy.NodeArray || len(l.Items) > 0) {
			return e.store
		}
	}
	return StoreUnknown
}

// organizationsKind decides the kind of an AWS::Organizations::Policy from
// its Type. Only service and resource control policies are IAM policy
// documents (tag, backup, AI opt-out and chatbot policies are not), so other
// types are skipped. When Type is not a literal, the content decides: an RCP
// must have a Principal, an SCP must not.
func organizationsKind(props, content *policy.Node) (policy.Kind, bool) {
	t, _ := stringMember(props, "Type")
	return organizationsType(t, content)
}

func organizationsType(t string, content *policy.Node) (policy.Kind, bool) {
	switch t {
	case "SERVICE_CONTROL_POLICY", "":
		return policy.KindSCP, true
	case "RESOURCE_CONTROL_POLICY":
		return policy.KindRCP, true
	}
	if !IsPlaceholder(t) {
		return policy.KindUnknown, false
	}
	if content != nil && content.Kind == policy.NodeObject && GuessKind(content) != policy.KindIdentity {
		return policy.KindRCP, true
	}
	return policy.KindSCP, true
}

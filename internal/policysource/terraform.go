package policysource

import (
	"github.com/awsmfa/awsmfa/internal/policy"
	"sync"
)

// isTerraform reports whether root is the JSON form of a Terraform plan or
// state (`terraform show -json`): it has format_version and one of
// planned_values, resource_changes, prior_state or values.
func isTerraform(root *policy.Node) bool {
	if member(root, "format_version") == nil && member(root, "terraform_version") == nil {
		return false
	}
	for _, k := range []string{"planned_values", "resource_changes", "prior_state", "values"} {
		if member(root, k) != nil {
			return true
		}
	}
	return false
}

// tfAttr is an attribute of a resource type that holds a policy (always a
// JSON string in Terraform).
type tfAttr struct {
	// name is the attribute; with sub set, it is a list of objects whose
	// sub attribute holds the policy (inline_policy[].policy).
	name  string
	sub   string
	kind  policy.Kind
	store Store
}

var tfPolicyAttrs = sync.OnceValue(func() map[string][]tfAttr {
	return map[string][]tfAttr{
		"aws_iam_policy": {{name: "policy", kind: policy.KindIdentity, store: StoreManaged}},
		"aws_iam_role": {
			{name: "assume_role_policy", kind: policy.KindTrust},
			{name: "inline_policy", sub: "policy", kind: policy.KindIdentity, store: StoreInlineRole},
		},
		"aws_iam_role_policy":                       {{name: "policy", kind: policy.KindIdentity, store: StoreInlineRole}},
		"aws_iam_user_policy":                       {{name: "policy", kind: policy.KindIdentity, store: StoreInlineUser}},
		"aws_iam_group_policy":                      {{name: "policy", kind: policy.KindIdentity, store: StoreInlineGroup}},
		"aws_ssoadmin_permission_set_inline_policy": {{name: "inline_policy", kind: policy.KindIdentity}},
		"aws_s3_bucket_policy":                      {{name: "policy", kind: policy.KindResource}},
		"aws_s3_bucket":                             {{name: "policy", kind: policy.KindResource}},
		"aws_s3_access_point":                       {{name: "policy", kind: policy.KindResource}},
		"aws_sqs_queue_policy":                      {{name: "policy", kind: policy.KindResource}},
		"aws_sqs_queue":                             {{name: "policy", kind: policy.KindResource}},
		"aws_sns_topic_policy":                      {{name: "policy", kind: policy.KindResource}},
		"aws_sns_topic":                             {{name: "policy", kind: policy.KindResource}},
		"aws_kms_key":                               {{name: "policy", kind: policy.KindResource}},
		"aws_kms_replica_key":                       {{name: "policy", kind: policy.KindResource}},
		"aws_kms_key_policy":                        {{name: "policy", kind: policy.KindResource}},
		"aws_ecr_repository_policy":                 {{name: "policy", kind: policy.KindResource}},
		"aws_secretsmanager_secret_policy":          {{name: "policy", kind: policy.KindResource}},
		"aws_efs_file_system_policy":                {{name: "policy", kind: policy.KindResource}},
		"aws_cloudwatch_log_resource_policy":        {{name: "policy_document", kind: policy.KindResource}},
		"aws_organizations_policy":                  {{name: "content", kind: policy.KindUnknown}},
		// Data source: the rendered document; its use decides the kind.
		"aws_iam_policy_document": {{name: "json", kind: policy.KindUnknown}},
	}
})

func (x *extractor) terraform(root *policy.Node) {
	// planned_values first: a policy also listed in resource_changes or
	// prior_state is reported once, at its planned_values position.
	x.tfModule(joinKey("planned_values", "root_module"), member(member(root, "planned_values"), "root_module"))
	x.tfModule(joinKey("values", "root_module"), member(member(root, "values"), "root_module"))
	if rc := member(root, "resource_changes"); rc != nil && rc.Kind == policy.NodeArray {
		for i, ch := range rc.Items {
			address, _ := stringMember(ch, "address")
			typ, _ := stringMember(ch, "type")
			x.tfResource(joinKey(joinKey(joinIndex("resource_changes", i), "change"), "after"), address, typ, member(member(ch, "change"), "after"))
		}
	}
	x.tfModule("prior_state.values.root_module", member(member(member(root, "prior_state"), "values"), "root_module"))
}

// tfModule walks a module's resources and, recursively, its child modules.
func (x *extractor) tfModule(path string, mod *policy.Node) {
	if mod == nil || mod.Kind != policy.NodeObject {
		return
	}
	if res := member(mod, "resources"); res != nil && res.Kind == policy.NodeArray {
		for i, r := range res.Items {
			address, _ := stringMember(r, "address")
			typ, _ := stringMember(r, "type")
			x.tfResource(joinKey(joinIndex(joinKey(path, "resources"), i), "values"), address, typ, member(r, "values"))
		}
	}
	if cm := member(mod, "child_modules"); cm != nil && cm.Kind == policy.NodeArray {
		for i, c := range cm.Items {
			x.tfModule(joinIndex(joinKey(path, "child_modules"), i), c)
		}
	}
}

func (x *extractor) tfResource(path, address, typ string, values *policy.Node) {
	attrs := tfPolicyAttrs()[typ]
	if len(attrs) == 0 || values == nil || values.Kind != policy.NodeObject {
		return
	}
	for _, a := range attrs {
		v := member(values, a.name)
		w := where{kind: a.kind, store: a.store}
		guess := false
		switch typ {
		case "aws_organizations_policy":
			t, _ := stringMember(values, "type")
			var ok bool
			if w.kind, ok = organizationsType(t, nil); !ok {
				continue
			}
		case "aws_iam_policy_document":
			w.kind, guess = x.hint, true
		}
		attrPath := joinKey(path, a.name)
		if a.sub == "" {
			x.tfPolicy(attrPath, address+"\x00"+a.name, v, w, guess)
			continue
		}
		if v == nil || v.Kind != policy.NodeArray {
			continue
		}
		// The inline policies of one role.
		w.entity = address
		for i, it := range v.Items {
			x.tfPolicy(joinKey(joinIndex(attrPath, i), a.sub), address+"\x00"+a.name+"\x00"+a.sub, member(it, a.sub), w, guess)
		}
	}
}

// tfPolicy adds a policy attribute's value: a non-empty JSON string
// (unknown values are null or absent in a plan and are skipped).
func (x *extractor) tfPolicy(path, key string, v *policy.Node, w where, guess bool) {
	if v == nil || v.Kind != policy.NodeString || v.Str == "" {
		return
	}
	x.addKeyed(path, key, v, w, guess)
}

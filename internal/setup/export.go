package setup

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Export formats.
const (
	FormatTerraform      = "terraform"
	FormatCloudFormation = "cloudformation"
)

// Export writes the desired state as infrastructure code, for teams that
// keep IAM in Terraform or CloudFormation instead of applying with awsmfa.
func Export(d *Desired, format string) ([]byte, error) {
	switch format {
	case FormatTerraform:
		return exportTerraform(d), nil
	case FormatCloudFormation:
		return exportCloudFormation(d)
	}
	return nil, fmt.Errorf("unknown format %q (known: %s, %s)", format, FormatTerraform, FormatCloudFormation)
}

var nonIdentRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_]+`) })

// idents hands out unique identifiers (Terraform resource names,
// CloudFormation logical IDs) for IAM names that may differ only in
// punctuation.
type idents struct {
	used  map[string]bool
	camel bool
}

func (ids *idents) get(prefix, name string) string {
	var id string
	if ids.camel {
		var b strings.Builder
		for _, part := range nonIdentRe().Split(prefix+" "+name, -1) {
			part = strings.ReplaceAll(part, "_", "")
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
		id = b.String()
	} else {
		id = strings.Trim(nonIdentRe().ReplaceAllString(strings.ToLower(prefix+"_"+name), "_"), "_")
	}
	base := id
	for n := 2; ids.used[id]; n++ {
		id = base + strconv.Itoa(n)
		if !ids.camel {
			id = base + "_" + strconv.Itoa(n)
		}
	}
	ids.used[id] = true
	return id
}

// hclQuote quotes a string for HCL, doubling "${" and "%{" so IAM policy
// variables like ${aws:username} are not read as interpolation.
func hclQuote(s string) string {
	return hclEscape(strconv.Quote(s))
}

func hclEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}

func hclList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = hclQuote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// hclHeredoc writes a policy document as an indented heredoc.
func hclHeredoc(b *bytes.Buffer, attr, text string) {
	fmt.Fprintf(b, "  %s = <<-EOT\n", attr)
	for _, l := range splitLines(text) {
		fmt.Fprintf(b, "    %s\n", hclEscape(l))
	}
	b.WriteString("  EOT\n")
}

func exportTerraform(d *Desired) []byte {
	var b bytes.Buffer
	ids := &idents{used: map[string]bool{}}
	b.WriteString("# IAM resources of an awsmfa setup file (awsmfa setup plan --format terraform).\n")
	policyRef := map[string]string{}
	writePolicy := func(p DesiredPolicy) {
		id := ids.get("policy", p.Name)
		policyRef[p.ARN] = "aws_iam_policy." + id + ".arn"
		fmt.Fprintf(&b, "\nresource \"aws_iam_policy\" %q {\n  name = %s\n  path = \"/\"\n", id, hclQuote(p.Name))
		hclHeredoc(&b, "policy", p.Text)
		fmt.Fprintf(&b, "  tags = { %s = %s }\n}\n", hclQuote(ManagedTag), hclQuote(ManagedTagValue))
	}
	ref := func(arn string) string {
		if r, ok := policyRef[arn]; ok {
			return r
		}
		return hclQuote(arn)
	}
	for _, p := range d.Policies {
		if p.ForRole == "" {
			writePolicy(p)
		}
	}
	for _, g := range d.Groups {
		id := ids.get("group", g.Name)
		fmt.Fprintf(&b, "\nresource \"aws_iam_group\" %q {\n  name = %s\n  path = %s\n}\n", id, hclQuote(g.Name), hclQuote(GroupPath))
		if len(g.Members) > 0 {
			fmt.Fprintf(&b, "\nresource \"aws_iam_group_membership\" %q {\n  name  = %s\n  group = aws_iam_group.%s.name\n  users = %s\n}\n",
				ids.get("members", g.Name), hclQuote(g.Name+"-members"), id, hclList(g.Members))
		}
		for _, arn := range g.Attached {
			fmt.Fprintf(&b, "\nresource \"aws_iam_group_policy_attachment\" %q {\n  group      = aws_iam_group.%s.name\n  policy_arn = %s\n}\n",
				ids.get("attach", g.Name), id, ref(arn))
		}
	}
	for _, r := range d.Roles {
		id := ids.get("role", r.Name)
		fmt.Fprintf(&b, "\nresource \"aws_iam_role\" %q {\n  name                 = %s\n  path                 = \"/\"\n  max_session_duration = %d\n",
			id, hclQuote(r.Name), r.MaxSessionDuration)
		hclHeredoc(&b, "assume_role_policy", r.TrustText)
		fmt.Fprintf(&b, "  tags = { %s = %s }\n}\n", hclQuote(ManagedTag), hclQuote(ManagedTagValue))
		for _, arn := range r.Attached {
			fmt.Fprintf(&b, "\nresource \"aws_iam_role_policy_attachment\" %q {\n  role       = aws_iam_role.%s.name\n  policy_arn = %s\n}\n",
				ids.get("attach", r.Name), id, ref(arn))
		}
	}
	for _, p := range d.Policies {
		if p.ForRole == "" {
			continue
		}
		writePolicy(p)
		for _, u := range p.Users {
			fmt.Fprintf(&b, "\nresource \"aws_iam_user_policy_attachment\" %q {\n  user       = %s\n  policy_arn = %s\n}\n",
				ids.get("attach", p.ForRole+"_"+u), hclQuote(u), ref(p.ARN))
		}
	}
	return b.Bytes()
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func num(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

func cfnRef(id string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: id}
}

func seq(items ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode, Content: items} }

func strs(values []string) *yaml.Node {
	s := seq()
	for _, v := range values {
		s.Content = append(s.Content, str(v))
	}
	return s
}

func mapOf(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, str(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}

// jsonToYAML turns a policy document's JSON text into block-style YAML.
func jsonToYAML(text string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	// Clear the JSON's flow and quoting styles; the encoder quotes the
	// strings that would otherwise read as another type ("false", "43200").
	var block func(n *yaml.Node)
	block = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			block(c)
		}
	}
	block(&doc)
	return doc.Content[0], nil
}

func managedTagList() *yaml.Node {
	return seq(mapOf("Key", str(ManagedTag), "Value", str(ManagedTagValue)))
}

func exportCloudFormation(d *Desired) ([]byte, error) {
	ids := &idents{used: map[string]bool{}, camel: true}
	resources := &yaml.Node{Kind: yaml.MappingNode}
	addRes := func(id, typ string, props *yaml.Node) {
		resources.Content = append(resources.Content, str(id), mapOf("Type", str(typ), "Properties", props))
	}
	policyRef := map[string]string{}
	for _, p := range d.Policies {
		policyRef[p.ARN] = ids.get("Policy", p.Name)
	}
	arnNode := func(arn string) *yaml.Node {
		if id, ok := policyRef[arn]; ok {
			return cfnRef(id) // Ref of an AWS::IAM::ManagedPolicy is its ARN
		}
		return str(arn)
	}
	arns := func(list []string) *yaml.Node {
		s := seq()
		for _, a := range list {
			s.Content = append(s.Content, arnNode(a))
		}
		return s
	}
	roleID := map[string]string{}
	for _, g := range d.Groups {
		id := ids.get("Group", g.Name)
		props := mapOf("GroupName", str(g.Name), "Path", str(GroupPath))
		if len(g.Attached) > 0 {
			props.Content = append(props.Content, str("ManagedPolicyArns"), arns(g.Attached))
		}
		addRes(id, "AWS::IAM::Group", props)
		if len(g.Members) > 0 {
			addRes(ids.get("Members", g.Name), "AWS::IAM::UserToGroupAddition",
				mapOf("GroupName", cfnRef(id), "Users", strs(g.Members)))
		}
	}
	for _, r := range d.Roles {
		trust, err := jsonToYAML(r.TrustText)
		if err != nil {
			return nil, err
		}
		id := ids.get("Role", r.Name)
		roleID[r.Name] = id
		props := mapOf("RoleName", str(r.Name), "Path", str("/"), "MaxSessionDuration", num(r.MaxSessionDuration),
			"AssumeRolePolicyDocument", trust)
		if len(r.Attached) > 0 {
			props.Content = append(props.Content, str("ManagedPolicyArns"), arns(r.Attached))
		}
		props.Content = append(props.Content, str("Tags"), managedTagList())
		addRes(id, "AWS::IAM::Role", props)
	}
	for _, p := range d.Policies {
		doc, err := jsonToYAML(p.Text)
		if err != nil {
			return nil, err
		}
		props := mapOf("ManagedPolicyName", str(p.Name), "Path", str("/"), "PolicyDocument", doc)
		if len(p.Users) > 0 {
			props.Content = append(props.Content, str("Users"), strs(p.Users))
		}
		res := mapOf("Type", str("AWS::IAM::ManagedPolicy"), "Properties", props)
		if p.ForRole != "" {
			res.Content = append(res.Content, str("DependsOn"), str(roleID[p.ForRole]))
		}
		resources.Content = append(resources.Content, str(policyRef[p.ARN]), res)
	}
	root := mapOf(
		"AWSTemplateFormatVersion", str("2010-09-09"),
		"Description", str("IAM resources of an awsmfa setup file (awsmfa setup plan --format cloudformation)"),
		"Resources", resources,
	)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

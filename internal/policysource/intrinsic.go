package policysource

import (
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// CloudFormation intrinsic functions cannot be evaluated without the stack,
// so resolveIntrinsics replaces each with what lint can still reason about:
//
//   - {"Ref": "X"} becomes the string "${Ref:X}"; {"Ref": "AWS::NoValue"}
//     removes the enclosing member or list item.
//   - {"Fn::GetAtt": ["X", "Arn"]} (or "X.Arn") becomes "${Fn::GetAtt:X.Arn}",
//     a string that is not a wildcard, so `Resource: !GetAtt Bucket.Arn` is
//     linted as a specific resource.
//   - {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"} keeps its template, with each
//     ${Name} replaced by "${Ref:Name}" (or "${Fn::GetAtt:Name}" for
//     Name.Attr, or the value given in Fn::Sub's variable map); ${!Literal}
//     becomes "${Literal}" as CloudFormation does.
//   - {"Fn::Join": [d, [parts]]} is joined when every part is a string.
//   - {"Fn::If": [cond, a, b]} becomes a (or b when a is AWS::NoValue): lint
//     looks at the first branch.
//   - {"Fn::Select": [i, [items]]} becomes item i when both are literal.
//   - Anything else becomes "${Fn::Name}" or "${Fn::Name:arg}".
//
// Placeholders contain "${Ref:" or "${Fn::", which no policy variable can
// (IsPlaceholder).

// IsPlaceholder reports whether s contains a placeholder that stands for a
// CloudFormation intrinsic function whose value is unknown.
func IsPlaceholder(s string) bool {
	return strings.Contains(s, "${Ref:") || strings.Contains(s, "${Fn::")
}

const maxIntrinsicDepth = 512

// resolveIntrinsics returns a copy of n with every intrinsic function
// replaced, or nil when n is AWS::NoValue.
func resolveIntrinsics(n *policy.Node) *policy.Node {
	return resolveDepth(n, 0)
}

func isIntrinsic(n *policy.Node) (string, *policy.Node, bool) {
	if n == nil || n.Kind != policy.NodeObject || len(n.Members) != 1 {
		return "", nil, false
	}
	k := n.Members[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k, n.Members[0].Value, true
	}
	return "", nil, false
}

func resolveDepth(n *policy.Node, depth int) *policy.Node {
	if n == nil {
		return nil
	}
	if depth > maxIntrinsicDepth {
		return str(n.Pos, "${Fn::TooDeep}")
	}
	if name, arg, ok := isIntrinsic(n); ok {
		return intrinsic(n.Pos, name, arg, depth+1)
	}
	switch n.Kind {
	case policy.NodeObject:
		out := &policy.Node{Kind: policy.NodeObject, Pos: n.Pos, Members: make([]policy.Member, 0, len(n.Members))}
		for _, m := range n.Members {
			v := resolveDepth(m.Value, depth+1)
			if v == nil {
				continue
			}
			out.Members = append(out.Members, policy.Member{Key: m.Key, KeyPos: m.KeyPos, Value: v})
		}
		return out
	case policy.NodeArray:
		out := &policy.Node{Kind: policy.NodeArray, Pos: n.Pos, Items: make([]*policy.Node, 0, len(n.Items))}
		for _, it := range n.Items {
			if v := resolveDepth(it, depth+1); v != nil {
				out.Items = append(out.Items, v)
			}
		}
		return out
	}
	// Scalars are shared, not copied: the extractor looks up the origin of
	// string nodes by identity.
	return n
}

func str(p policy.Pos, s string) *policy.Node {
	return &policy.Node{Kind: policy.NodeString, Str: s, Pos: p}
}

// scalarText is the text of a resolved scalar, for joining and naming.
func scalarText(n *policy.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case policy.NodeString, policy.NodeNumber, policy.NodeBool:
		return n.Str, true
	}
	return "", false
}

func intrinsic(p policy.Pos, name string, arg *policy.Node, depth int) *policy.Node {
	switch name {
	case "Ref":
		if arg != nil && arg.Kind == policy.NodeString {
			if arg.Str == "AWS::NoValue" {
				return nil
			}
			return str(p, "${Ref:"+arg.Str+"}")
		}
		return str(p, "${Ref}")
	case "Fn::GetAtt":
		if arg != nil {
			switch arg.Kind {
			case policy.NodeString:
				return str(p, "${Fn::GetAtt:"+arg.Str+"}")
			case policy.NodeArray:
				parts := make([]string, 0, len(arg.Items))
				for _, it := range arg.Items {
					s, ok := scalarText(resolveDepth(it, depth+1))
					if !ok {
						s = "?"
					}
					parts = append(parts, s)
				}
				return str(p, "${Fn::GetAtt:"+strings.Join(parts, ".")+"}")
			}
		}
		return str(p, "${Fn::GetAtt}")
	case "Fn::Sub":
		return sub(p, arg, depth)
	case "Fn::Join":
		if arg != nil && arg.Kind == policy.NodeArray && len(arg.Items) == 2 {
			delim, ok := scalarText(resolveDepth(arg.Items[0], depth+1))
			list := resolveDepth(arg.Items[1], depth+1)
			if ok && list != nil && list.Kind == policy.NodeArray {
				parts := make([]string, 0, len(list.Items))
				all := true
				for _, it := range list.Items {
					s, ok := scalarText(it)
					if !ok {
						all = false
						break
					}
					parts = append(parts, s)
				}
				if all {
					return str(p, strings.Join(parts, delim))
				}
			}
		}
		return str(p, "${Fn::Join}")
	case "Fn::If":
		if arg != nil && arg.Kind == policy.NodeArray && len(arg.Items) == 3 {
			if v := resolveDepth(arg.Items[1], depth+1); v != nil {
				return v
			}
			return resolveDepth(arg.Items[2], depth+1)
		}
		return str(p, "${Fn::If}")
	case "Fn::Select":
		if arg != nil && arg.Kind == policy.NodeArray && len(arg.Items) == 2 {
			idxText, ok := scalarText(resolveDepth(arg.Items[0], depth+1))
			list := resolveDepth(arg.Items[1], depth+1)
			if idx, err := strconv.Atoi(idxText); ok && err == nil && list != nil && list.Kind == policy.NodeArray && idx >= 0 && idx < len(list.Items) {
				return list.Items[idx]
			}
		}
		return str(p, "${Fn::Select}")
	}
	if s, ok := scalarText(resolveDepth(arg, depth+1)); ok && s != "" && !strings.ContainsAny(s, "{}") {
		return str(p, "${"+name+":"+s+"}")
	}
	return str(p, "${"+name+"}")
}

// sub expands an Fn::Sub template as far as it can be known.
func sub(p policy.Pos, arg *policy.Node, depth int) *policy.Node {
	var tmpl string
	vars := map[string]*policy.Node{}
	switch {
	case arg == nil:
		return str(p, "${Fn::Sub}")
	case arg.Kind == policy.NodeString:
		tmpl = arg.Str
	case arg.Kind == policy.NodeArray && len(arg.Items) >= 1 && arg.Items[0].Kind == policy.NodeString:
		tmpl = arg.Items[0].Str
		if len(arg.Items) > 1 && arg.Items[1].Kind == policy.NodeObject {
			for _, m := range arg.Items[1].Members {
				vars[m.Key] = m.Value
			}
		}
	default:
		return str(p, "${Fn::Sub}")
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+2 : i+j]
		tmpl = tmpl[i+j+1:]
		switch {
		case strings.HasPrefix(name, "!"):
			b.WriteString("${" + name[1:] + "}")
		case vars[name] != nil:
			if s, ok := scalarText(resolveDepth(vars[name], depth+1)); ok {
				b.WriteString(s)
			} else {
				b.WriteString("${Ref:" + name + "}")
			}
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			b.WriteString("${Fn::GetAtt:" + name + "}")
		default:
			b.WriteString("${Ref:" + name + "}")
		}
	}
	return str(p, b.String())
}

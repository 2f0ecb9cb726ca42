package lab

import (
	"fmt"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// EC2 region opt-in statuses
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Region.html).
const (
	optInNotRequired = "opt-in-not-required"
	optedIn          = "opted-in"
	notOptedIn       = "not-opted-in"
)

// ec2Region is a commercial-partition region as DescribeRegions lists it.
type ec2Region struct {
	name  string
	optIn string
}

// ec2Regions() are the launched regions of the aws partition. Regions
// launched before March 20, 2019 are enabled for every account; later ones
// are opt-in, and the lab account has opted in to none
// (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
var ec2Regions = sync.OnceValue(func() []ec2Region {
	return sortedRegions([]ec2Region{
		{"us-east-1", optInNotRequired}, {"us-east-2", optInNotRequired},
		{"us-west-1", optInNotRequired}, {"us-west-2", optInNotRequired},
		{"ca-central-1", optInNotRequired}, {"sa-east-1", optInNotRequired},
		{"eu-central-1", optInNotRequired}, {"eu-west-1", optInNotRequired},
		{"eu-west-2", optInNotRequired}, {"eu-west-3", optInNotRequired},
		{"eu-north-1", optInNotRequired}, {"ap-south-1", optInNotRequired},
		{"ap-northeast-1", optInNotRequired}, {"ap-northeast-2", optInNotRequired},
		{"ap-northeast-3", optInNotRequired}, {"ap-southeast-1", optInNotRequired},
		{"ap-southeast-2", optInNotRequired},

		{"af-south-1", notOptedIn}, {"ap-east-1", notOptedIn}, {"ap-east-2", notOptedIn},
		{"ap-south-2", notOptedIn}, {"ap-southeast-3", notOptedIn}, {"ap-southeast-4", notOptedIn},
		{"ap-southeast-5", notOptedIn}, {"ap-southeast-6", notOptedIn}, {"ap-southeast-7", notOptedIn},
		{"ca-west-1", notOptedIn}, {"eu-central-2", notOptedIn}, {"eu-south-1", notOptedIn},
		{"eu-south-2", notOptedIn}, {"il-central-1", notOptedIn}, {"me-central-1", notOptedIn},
		{"me-south-1", notOptedIn}, {"mx-central-1", notOptedIn},
	})
})

func sortedRegions(rs []ec2Region) []ec2Region {
	sort.Slice(rs, func(i, j int) bool { return rs[i].name < rs[j].name })
	return rs
}

func (r ec2Region) endpoint() string { return "ec2." + r.name + ".amazonaws.com" }

func (r ec2Region) enabled() bool { return r.optIn != notOptedIn }

func findRegion(name string) (ec2Region, bool) {
	i := sort.Search(len(ec2Regions()), func(i int) bool { return ec2Regions()[i].name >= name })
	if i < len(ec2Regions()) && ec2Regions()[i].name == name {
		return ec2Regions()[i], true
	}
	return ec2Region{}, false
}

func invalidParameterValue(msg string) *apiError {
	return errSender(http.StatusBadRequest, "InvalidParameterValue", msg)
}

// regionFilter is one Filter.N of DescribeRegions: a region matches when
// its field matches any of the values (* and ? are wildcards).
type regionFilter struct {
	name   string
	values []string
}

func (f regionFilter) field(r ec2Region) string {
	switch f.name {
	case "endpoint":
		return r.endpoint()
	case "opt-in-status":
		return r.optIn
	}
	return r.name
}

func (f regionFilter) matches(r ec2Region) bool {
	v := f.field(r)
	for _, pattern := range f.values {
		// path.Match's * and ? never cross '/', which no field contains.
		if ok, err := path.Match(pattern, v); ok && err == nil {
			return true
		}
	}
	return false
}

// describeRegionsInput is DescribeRegions' request
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html).
type describeRegionsInput struct {
	names      []string // RegionName.N
	allRegions bool
	dryRun     bool
	filters    []regionFilter
}

// ec2Params reads EC2 query lists and records which parameters it read,
// so that a parameter nothing reads (a list member after a gap, a
// misspelt filter field) is refused instead of ignored.
type ec2Params struct {
	p    params
	read map[string]bool
}

func (e *ec2Params) get(name string) (string, bool) {
	v, ok := e.p[name]
	if ok {
		e.read[name] = true
	}
	return v, ok
}

// list reads prefix.1, prefix.2, ... up to the first missing index.
func (e *ec2Params) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := e.get(prefix + "." + strconv.Itoa(i))
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

func (e *ec2Params) boolean(name string) (bool, error) {
	v, ok := e.get(name)
	if !ok {
		return false, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidParameterValue("Invalid value '" + truncate(v, 64) + "' for " + name + ": it must be true or false.")
}

// unread returns a parameter nothing read ("" when all were).
func (e *ec2Params) unread() string {
	var left []string
	for k := range e.p {
		if !e.read[k] && k != "Action" && k != "Version" {
			left = append(left, k)
		}
	}
	if len(left) == 0 {
		return ""
	}
	sort.Strings(left)
	return left[0]
}

func parseDescribeRegions(p params) (*describeRegionsInput, error) {
	if len(p) <= 2 && p.has("Action") && (len(p) == 1 || p.has("Version")) {
		return &describeRegionsInput{}, nil // the common call: no parameters
	}
	e := &ec2Params{p: p, read: map[string]bool{}}
	in := &describeRegionsInput{names: e.list("RegionName")}
	var err error
	if in.allRegions, err = e.boolean("AllRegions"); err != nil {
		return nil, err
	}
	if in.dryRun, err = e.boolean("DryRun"); err != nil {
		return nil, err
	}
	for i := 1; ; i++ {
		name, ok := e.get("Filter." + strconv.Itoa(i) + ".Name")
		if !ok {
			break
		}
		switch name {
		case "endpoint", "opt-in-status", "region-name":
		default:
			return nil, invalidParameterValue("The filter '" + truncate(name, 128) + "' is invalid")
		}
		in.filters = append(in.filters, regionFilter{name: name, values: e.list("Filter." + strconv.Itoa(i) + ".Value")})
	}
	if k := e.unread(); k != "" {
		return nil, errSender(http.StatusBadRequest, "UnknownParameter", "The parameter "+truncate(k, 128)+" is not recognized")
	}
	var unknown []string
	for _, n := range in.names {
		if _, ok := findRegion(n); !ok {
			unknown = append(unknown, truncate(n, 64))
		}
	}
	if len(unknown) > 0 {
		// As EC2 words it: "Invalid region: [us--east-1]"
		// (https://github.com/awslabs/amazon-s3-tar-tool/pull/7).
		return nil, invalidParameterValue("Invalid region: [" + strings.Join(unknown, ", ") + "]")
	}
	return in, nil
}

// describeRegionsParams validates DescribeRegions' parameters before
// authorization and keeps them for the handler.
func describeRegionsParams(rq *request) error {
	in, err := parseDescribeRegions(rq.params)
	rq.input = in
	return err
}

// regions selects the regions the request asks for: the named ones
// (enabled or not), else the enabled ones, or all with AllRegions; then
// those every filter matches.
func (in *describeRegionsInput) regions() []ec2Region {
	var base []ec2Region
	if len(in.names) > 0 {
		seen := map[string]bool{}
		for _, n := range in.names {
			if r, ok := findRegion(n); ok && !seen[n] {
				seen[n] = true
				base = append(base, r)
			}
		}
		sortedRegions(base)
	} else {
		for _, r := range ec2Regions() {
			if in.allRegions || r.enabled() {
				base = append(base, r)
			}
		}
	}
	out := base[:0]
next:
	for _, r := range base {
		for _, f := range in.filters {
			if !f.matches(r) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// regionInfoXML renders regions as DescribeRegions' regionInfo element.
func regionInfoXML(regions []ec2Region) string {
	var b strings.Builder
	b.WriteString("  <regionInfo>\n")
	for _, r := range regions {
		b.WriteString("    <item>\n      <regionName>" + r.name + "</regionName>\n      <regionEndpoint>" + r.endpoint() +
			"</regionEndpoint>\n      <optInStatus>" + r.optIn + "</optInStatus>\n    </item>\n")
	}
	b.WriteString("  </regionInfo>\n")
	return b.String()
}

// enabledRegionInfo is the answer to a DescribeRegions call without
// parameters, rendered once on first use.
var enabledRegionInfo = sync.OnceValue(func() string { return regionInfoXML((&describeRegionsInput{}).regions()) })

// describeRegions answers ec2:DescribeRegions: the lab's data-plane call,
// which policies can allow or deny. With DryRun it answers
// DryRunOperation once authorized, as EC2 does.
func (s *Server) describeRegions(rq *request) (any, error) {
	in, _ := rq.input.(*describeRegionsInput)
	if in == nil {
		return nil, fmt.Errorf("lab: DescribeRegions without its parsed parameters")
	}
	if in.dryRun {
		return nil, errSender(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	}
	info := enabledRegionInfo()
	if in.allRegions || len(in.names) > 0 || len(in.filters) > 0 {
		info = regionInfoXML(in.regions())
	}
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<DescribeRegionsResponse xmlns="` + nsEC2 + `">` + "\n  <requestId>"
	const tail = "</DescribeRegionsResponse>\n"
	body := make([]byte, 0, len(head)+len(rq.id)+len("</requestId>\n")+len(info)+len(tail))
	body = append(body, head...)
	body = append(body, rq.id...)
	body = append(body, "</requestId>\n"...)
	body = append(body, info...)
	body = append(body, tail...)
	return rawResponse(body), nil
}

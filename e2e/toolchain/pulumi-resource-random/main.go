// Command pulumi-resource-random is torchpod's STAND-IN for the Pulumi random
// provider, for end-to-end tests only.
//
// Why it exists: the real provider (github.com/pulumi/pulumi-random/provider/v4)
// is refused by the Go module proxy reachable here at every version, so it
// cannot be built from published modules, and torchpod's program creates
// random.RandomPassword resources. This stand-in, written from scratch against
// the published github.com/pulumi/pulumi/sdk/v3 module, implements the two
// resources of @pulumi/random that generate strings, with the real provider's
// inputs, defaults, outputs and replace-on-any-change behaviour:
//
//   - random:index/randomPassword:RandomPassword (id "none", result, bcryptHash)
//   - random:index/randomString:RandomString     (id = result)
//
// Every other random resource fails with a clear error. The characters are
// drawn with crypto/rand; the exact generation algorithm differs from the real
// provider's, which no test may depend on anyway.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=..." by e2e/toolchain.sh: the
// @pulumi/random version this stand-in is installed as.
var version = "0.0.0-dev"

const (
	passwordType = "random:index/randomPassword:RandomPassword"
	stringType   = "random:index/randomString:RandomString"
	// The engine's marker for a value not known during preview.
	unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	// The real provider's default special characters.
	defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// inputKeys are the resources' inputs; changing any of them replaces the
// resource, as in the real provider.
var inputKeys = []string{
	"keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper",
	"number", "numeric", "overrideSpecial", "special", "upper",
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println(version)
		return
	}
	// The engine passes flags (--logtostderr, -v=N, --tracing ADDR, ...) and
	// then its own address; none of them matter here.
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &provider{})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-random: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-random: %v\n", err)
		os.Exit(1)
	}
}

type provider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

func (p *provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(
		`{"name":"random","version":%q,"description":"torchpod e2e stand-in for the random provider"}`, version)}, nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	// AcceptSecrets false: the engine strips secret wrappers before calling us.
	return &pulumirpc.ConfigureResponse{SupportsPreview: true}, nil
}

func (p *provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func supported(typ string) error {
	if typ == passwordType || typ == stringType {
		return nil
	}
	return fmt.Errorf("%s is not implemented by torchpod's e2e stand-in for the random provider "+
		"(only RandomPassword and RandomString are)", typ)
}

func typeOf(urn string) string {
	// urn:pulumi:stack::project::[parent$]type::name
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	t := parts[2]
	if i := strings.LastIndex(t, "$"); i >= 0 {
		t = t[i+1:]
	}
	return t
}

func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	typ := req.GetType()
	if typ == "" {
		typ = typeOf(req.GetUrn())
	}
	if err := supported(typ); err != nil {
		return nil, err
	}
	news := req.GetNews().AsMap()
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	for _, k := range []string{"lower", "upper", "special"} {
		if _, ok := news[k]; !ok {
			news[k] = true
		}
	}
	// numeric and its deprecated alias number default to true and follow each other.
	_, hasNumeric := news["numeric"]
	_, hasNumber := news["number"]
	switch {
	case hasNumeric && !hasNumber:
		news["number"] = news["numeric"]
	case hasNumber && !hasNumeric:
		news["numeric"] = news["number"]
	case !hasNumber && !hasNumeric:
		news["numeric"], news["number"] = true, true
	}
	for _, k := range []string{"minLower", "minNumeric", "minSpecial", "minUpper"} {
		if _, ok := news[k]; !ok {
			news[k] = float64(0)
		}
	}
	switch l := news["length"].(type) {
	case nil:
		fail("length", "length is required")
	case float64:
		if l < 1 {
			fail("length", "length must be at least 1")
		}
	}
	inputs, err := structpb.NewStruct(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds := req.GetOldInputs().AsMap()
	if len(olds) == 0 {
		olds = req.GetOlds().AsMap()
	}
	news := req.GetNews().AsMap()
	var replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range inputKeys {
		o, oldOK := olds[k]
		n, newOK := news[k]
		if oldOK == newOK && equal(o, n) {
			continue
		}
		replaces = append(replaces, k)
		kind := pulumirpc.PropertyDiff_UPDATE_REPLACE
		if !oldOK {
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		} else if !newOK {
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(replaces) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_SOME,
		Replaces:        replaces,
		Diffs:           replaces,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
	}, nil
}

func equal(a, b any) bool {
	if s, ok := b.(string); ok && s == unknown {
		return false
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !equal(av[i], bv[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

func (p *provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	typ := req.GetType()
	if typ == "" {
		typ = typeOf(req.GetUrn())
	}
	if err := supported(typ); err != nil {
		return nil, err
	}
	props := req.GetProperties().AsMap()
	if req.GetPreview() {
		props["result"] = unknown
		if typ == passwordType {
			props["bcryptHash"] = unknown
		}
		out, err := structpb.NewStruct(props)
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: out}, nil
	}
	result, err := generate(props)
	if err != nil {
		return nil, err
	}
	props["result"] = result
	id := result
	if typ == passwordType {
		hash, err := bcrypt.GenerateFromPassword([]byte(result), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		props["bcryptHash"] = string(hash)
		id = "none"
	}
	out, err := structpb.NewStruct(props)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, nil
}

// Read (refresh) returns the recorded state: nothing outside the state exists.
func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Update is never planned (every input change replaces), but an update with
// no input change (e.g. after an import) keeps the generated values.
func (p *provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds := req.GetOlds().AsMap()
	news := req.GetNews().AsMap()
	for _, k := range []string{"result", "bcryptHash"} {
		if v, ok := olds[k]; ok {
			news[k] = v
		}
	}
	out, err := structpb.NewStruct(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

func (p *provider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func number(props map[string]any, key string) int {
	if f, ok := props[key].(float64); ok {
		return int(f)
	}
	return 0
}

func flag(props map[string]any, key string) bool {
	b, ok := props[key].(bool)
	return !ok || b
}

func generate(props map[string]any) (string, error) {
	length := number(props, "length")
	if length < 1 {
		return "", errors.New("length must be at least 1")
	}
	special := defaultSpecial
	if s, ok := props["overrideSpecial"].(string); ok && s != "" {
		special = s
	}
	type class struct {
		enabled bool
		chars   string
		min     int
	}
	classes := []class{
		{flag(props, "upper"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", number(props, "minUpper")},
		{flag(props, "lower"), "abcdefghijklmnopqrstuvwxyz", number(props, "minLower")},
		{flag(props, "numeric") && flag(props, "number"), "0123456789", number(props, "minNumeric")},
		{flag(props, "special"), special, number(props, "minSpecial")},
	}
	var all string
	var out []byte
	for _, c := range classes {
		if !c.enabled {
			continue
		}
		all += c.chars
		for i := 0; i < c.min; i++ {
			ch, err := pick(c.chars)
			if err != nil {
				return "", err
			}
			out = append(out, ch)
		}
	}
	if all == "" {
		return "", errors.New("at least one of upper, lower, numeric and special must be true")
	}
	if len(out) > length {
		return "", fmt.Errorf("the min* counts add up to %d, more than length %d", len(out), length)
	}
	for len(out) < length {
		ch, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, ch)
	}
	// Shuffle so the required characters are not all at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[n.Int64()], nil
}

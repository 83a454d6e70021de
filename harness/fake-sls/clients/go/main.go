// sls-go-client drives the official Go SDK (github.com/aliyun/aliyun-log-go-sdk) against an SLS
// endpoint, so the fake SLS is tested with the client real users run. It reads one JSON request
// from stdin — {"endpoint", "accessKeyId", "accessKeySecret", "ops": [...]} — runs each op and
// prints one JSON result per op as a JSON array. SDK errors are results ({ok: false, code,
// httpCode, message}), not failures of the program.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
)

type op struct {
	Op              string              `json:"op"`
	AccessKeyID     string              `json:"accessKeyId"`
	AccessKeySecret string              `json:"accessKeySecret"`
	Project         string              `json:"project"`
	Logstore        string              `json:"logstore"`
	Compress        string              `json:"compress"`
	HashKey         *string             `json:"hashKey"`
	Topic           string              `json:"topic"`
	Source          string              `json:"source"`
	Time            uint32              `json:"time"`
	Tags            map[string]string   `json:"tags"`
	Logs            []map[string]string `json:"logs"`
	From            int64               `json:"from"`
	To              int64               `json:"to"`
	Query           string              `json:"query"`
	Line            int64               `json:"line"`
	AcceptEncoding  string              `json:"acceptEncoding"`
}

type request struct {
	Endpoint        string `json:"endpoint"`
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	Ops             []op   `json:"ops"`
}

type result struct {
	Ok         bool                `json:"ok"`
	Code       string              `json:"code,omitempty"`
	HTTPCode   int32               `json:"httpCode,omitempty"`
	Message    string              `json:"message,omitempty"`
	Logs       []map[string]string `json:"logs,omitempty"`
	Count      int64               `json:"count"`
	Progress   string              `json:"progress,omitempty"`
	HasSQL     bool                `json:"hasSQL,omitempty"`
	Histograms []int64             `json:"histograms,omitempty"`
	Logstores  []string            `json:"logstores,omitempty"`
}

// Project hosts are <project>.localhost, which the Go resolver does not map to loopback.
func loopbackClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

func compressType(name string) int {
	switch name {
	case "zstd":
		return sls.Compress_ZSTD
	case "none":
		return sls.Compress_None
	}
	return sls.Compress_LZ4
}

func logGroup(o op) *sls.LogGroup {
	str := func(s string) *string { return &s }
	lg := &sls.LogGroup{Topic: str(o.Topic), Source: str(o.Source)}
	for _, fields := range o.Logs {
		t := o.Time
		l := &sls.Log{Time: &t}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			l.Contents = append(l.Contents, &sls.LogContent{Key: str(k), Value: str(fields[k])})
		}
		lg.Logs = append(lg.Logs, l)
	}
	for k, v := range o.Tags {
		lg.LogTags = append(lg.LogTags, &sls.LogTag{Key: str(k), Value: str(v)})
	}
	return lg
}

func run(c sls.ClientInterface, o op) (result, error) {
	switch o.Op {
	case "put":
		if o.HashKey != nil {
			return result{Ok: true}, c.PostLogStoreLogsV2(o.Project, o.Logstore, &sls.PostLogStoreLogsRequest{LogGroup: logGroup(o), HashKey: o.HashKey, CompressType: compressType(o.Compress)})
		}
		return result{Ok: true}, c.PutLogsWithCompressType(o.Project, o.Logstore, logGroup(o), compressType(o.Compress))
	case "getLogs":
		req := &sls.GetLogRequest{From: o.From, To: o.To, Query: o.Query, Lines: o.Line, CompressType: compressType(o.AcceptEncoding)}
		r, err := c.GetLogsV2(o.Project, o.Logstore, req)
		if err != nil {
			return result{}, err
		}
		return result{Ok: true, Logs: r.Logs, Count: r.Count, Progress: r.Progress, HasSQL: r.HasSQL}, nil
	case "histograms":
		r, err := c.GetHistograms(o.Project, o.Logstore, "", o.From, o.To, o.Query)
		if err != nil {
			return result{}, err
		}
		out := result{Ok: true, Count: r.Count, Progress: r.Progress}
		for _, h := range r.Histograms {
			out.Histograms = append(out.Histograms, h.Count)
		}
		return out, nil
	case "listLogstores":
		names, err := c.ListLogStore(o.Project)
		return result{Ok: err == nil, Logstores: names}, err
	}
	return result{}, fmt.Errorf("unknown op %q", o.Op)
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "sls-go-client: stdin is not a JSON request:", err)
		os.Exit(2)
	}
	httpClient := loopbackClient()
	results := make([]result, 0, len(req.Ops))
	for _, o := range req.Ops {
		ak, sk := req.AccessKeyID, req.AccessKeySecret
		if o.AccessKeyID != "" {
			ak, sk = o.AccessKeyID, o.AccessKeySecret
		}
		c := sls.CreateNormalInterface(req.Endpoint, ak, sk, "")
		c.SetHTTPClient(httpClient)
		r, err := run(c, o)
		if err != nil {
			e := sls.NewClientError(err)
			r = result{Ok: false, Code: e.Code, HTTPCode: e.HTTPCode, Message: e.Message}
		}
		results = append(results, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		os.Exit(1)
	}
}

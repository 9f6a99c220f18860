// Command helm-bench-ref is the Go side of Keelson's Helm rendering benchmark. Helm's own library is not installable
// here, so it reproduces what Helm's template engine does with a chart's templates: Go's text/template with Sprig's
// text functions (minus env and expandenv) plus Helm's include, tpl, toYaml, fromYaml, toJson and required, all
// templates of the chart and its vendored subcharts parsed into one set named by chart path, missingkey=zero, and
// "<no value>" removed from each output. Values are read as Helm reads them (YAML through JSON, so numbers are
// float64). Chart loading beyond reading the files, values schema checks and manifest sorting are not reproduced.
//
// Build (GOPATH mode, Debian's Go 1.19 and Sprig 3.2.3):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/helm-bench-ref .
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// chartFiles is what a render reads from disk: the templates by their name in the set, and the values files.
type chartFiles struct {
	name       string
	templates  map[string]string
	rendered   []string // non-partial templates of the top chart, in execution order
	values     []byte
	subValues  map[string][]byte
	appVersion string
	version    string
}

func main() {
	iterations := flag.Int("n", 2000, "renders to time")
	release := flag.String("release", "release-name", ".Release.Name")
	namespace := flag.String("namespace", "default", ".Release.Namespace")
	print := flag.Bool("print", false, "print one render (# Source: headers) instead of timing")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-bench-ref [-n N] [-print] CHART_DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)

	files, err := readChart(dir)
	check(err)
	top, err := topValues(files, *release, *namespace)
	check(err)

	if *print {
		out, err := render(files, top)
		check(err)
		for _, name := range files.rendered {
			fmt.Printf("---\n# Source: %s\n%s\n", name, out[name])
		}
		return
	}

	// Warm up, then time three ways: the engine as Helm runs it on every render (a fresh template set parsed, then
	// every template executed); the same plus reading the chart and its values from disk, as `helm template` does
	// first; and execution alone on a set parsed once (which Helm never does, shown for scale).
	for i := 0; i < *iterations/10+1; i++ {
		_, err := render(files, top)
		check(err)
	}
	report("go engine: parse + execute all templates (as Helm's engine does per render)", *iterations, func() {
		_, err := render(files, top)
		check(err)
	})
	report("go load + engine: read chart files and values from disk, then the above", *iterations, func() {
		f, err := readChart(dir)
		check(err)
		v, err := topValues(f, *release, *namespace)
		check(err)
		_, err = render(f, v)
		check(err)
	})
	set, err := parse(files)
	check(err)
	report("go execute only: one parsed set reused (Helm does not do this)", *iterations, func() {
		_, err := execute(set, files, top)
		check(err)
	})
}

func report(name string, n int, op func()) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < n; i++ {
		op()
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	fmt.Printf("%s: %d ns/op, %d B/op, %d allocs/op (n=%d)\n", name, elapsed.Nanoseconds()/int64(n),
		(after.TotalAlloc-before.TotalAlloc)/uint64(n), (after.Mallocs-before.Mallocs)/uint64(n), n)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-bench-ref:", err)
		os.Exit(1)
	}
}

// readChart reads the chart directory and its vendored subcharts (charts/<dir>), naming templates as Helm does:
// <chart>/templates/x and <chart>/charts/<subchart name>/templates/x.
func readChart(dir string) (*chartFiles, error) {
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	f := &chartFiles{name: meta["name"], appVersion: meta["appVersion"], version: meta["version"], templates: map[string]string{}, subValues: map[string][]byte{}}
	if f.values, err = os.ReadFile(filepath.Join(dir, "values.yaml")); err != nil {
		return nil, err
	}
	if err := readTemplates(filepath.Join(dir, "templates"), f.name+"/templates", f.templates); err != nil {
		return nil, err
	}
	subs, _ := os.ReadDir(filepath.Join(dir, "charts"))
	for _, s := range subs {
		if !s.IsDir() {
			continue
		}
		subDir := filepath.Join(dir, "charts", s.Name())
		sub, err := readMeta(subDir)
		if err != nil {
			return nil, err
		}
		if err := readTemplates(filepath.Join(subDir, "templates"), f.name+"/charts/"+sub["name"]+"/templates", f.templates); err != nil {
			return nil, err
		}
		if v, err := os.ReadFile(filepath.Join(subDir, "values.yaml")); err == nil {
			f.subValues[sub["name"]] = v
		}
	}
	prefix := f.name + "/templates/"
	for name := range f.templates {
		base := path.Base(name)
		// Helm renders only the top chart's non-partial templates here (the subchart is a library); NOTES.txt is
		// rendered but not printed.
		if strings.HasPrefix(name, prefix) && !strings.HasPrefix(base, "_") && base != "NOTES.txt" {
			f.rendered = append(f.rendered, name)
		}
	}
	sort.Strings(f.rendered)
	return f, nil
}

func readMeta(dir string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var meta map[string]interface{}
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	out := map[string]string{}
	for k, v := range meta {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, nil
}

func readTemplates(dir, prefix string, into map[string]string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		into[prefix+"/"+e.Name()] = string(data)
	}
	return nil
}

// topValues builds the top-level object: .Values (the chart's values with the subchart's section, globals copied
// in), .Release, .Chart and .Capabilities.
func topValues(f *chartFiles, release, namespace string) (map[string]interface{}, error) {
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(f.values, &values); err != nil {
		return nil, err
	}
	global, _ := values["global"].(map[string]interface{})
	for name, data := range f.subValues {
		sub := map[string]interface{}{}
		if err := yaml.Unmarshal(data, &sub); err != nil {
			return nil, err
		}
		if sub == nil {
			sub = map[string]interface{}{}
		}
		if global != nil {
			sub["global"] = global
		}
		if existing, ok := values[name].(map[string]interface{}); ok {
			for k, v := range existing {
				sub[k] = v
			}
		}
		values[name] = sub
	}
	return map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "IsInstall": true, "IsUpgrade": false, "Revision": 1, "Service": "Helm",
		},
		"Chart":        map[string]interface{}{"Name": f.name, "Version": f.version, "AppVersion": f.appVersion},
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.35.0", "Major": "1", "Minor": "35"}},
	}, nil
}

func render(f *chartFiles, top map[string]interface{}) (map[string]string, error) {
	t, err := parse(f)
	if err != nil {
		return nil, err
	}
	return execute(t, f, top)
}

func parse(f *chartFiles) (*template.Template, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	t.Funcs(funcMap(t))
	names := make([]string, 0, len(f.templates))
	for name := range f.templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := t.New(name).Parse(f.templates[name]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func execute(t *template.Template, f *chartFiles, top map[string]interface{}) (map[string]string, error) {
	out := make(map[string]string, len(f.rendered))
	for _, name := range f.rendered {
		vals := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": f.name + "/templates"}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, err
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

// funcMap is Sprig's text functions as Helm uses them plus Helm's own, include and tpl bound to the set t.
func funcMap(t *template.Template) template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf(msg)
		}
		return v, nil
	}
	depth := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, vals map[string]interface{}) (string, error) {
		// As Helm does: clone the whole set so the snippet can include the chart's templates, then parse it under the
		// calling template's name.
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		clone.Funcs(funcMap(clone))
		name := "tpl"
		if tm, ok := vals["Template"].(map[string]interface{}); ok {
			if n, ok := tm["Name"].(string); ok {
				name = n
			}
		}
		if _, err := clone.New(name).Parse(text); err != nil {
			return "", err
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, name, vals); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return funcs
}

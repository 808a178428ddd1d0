package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shows says whether the Markdown page shows file's content verbatim as a fenced block.
func shows(page, content, lang string) bool {
	return strings.Contains(page, "```"+lang+"\n"+content+"```\n")
}

// mutation is a change to a good file that a check must refuse, with what its error must say.
type mutation struct{ name, from, to, want string }

// refusesEach applies each mutation to good and expects read to refuse the result.
func refusesEach(t *testing.T, good []byte, ms []mutation, read func([]byte) error) {
	t.Helper()
	for _, m := range ms {
		t.Run(m.name, func(t *testing.T) {
			bad := strings.Replace(string(good), m.from, m.to, 1)
			if bad == string(good) {
				t.Fatalf("the file has no %q to replace", m.from)
			}
			if err := read([]byte(bad)); err == nil || !strings.Contains(err.Error(), m.want) {
				t.Fatalf("got %v, want an error with %q", err, m.want)
			}
		})
	}
}

// TestDocsShowTheFilesAsTheyAre keeps the pages from drifting from the files the checks check.
func TestDocsShowTheFilesAsTheyAre(t *testing.T) {
	for _, tc := range []struct{ page, file string }{
		{"docs/load.md", "deploy/k8s/load-job.yaml"},
		{"docs/ci.md", "deploy/ci/livehook.yml"},
	} {
		page, err := os.ReadFile(filepath.Join(repo, tc.page))
		if err != nil {
			t.Fatal(err)
		}
		content, err := os.ReadFile(filepath.Join(repo, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if !shows(string(page), string(content), "yaml") {
			t.Errorf("%s does not show %s as it is: copy the file into its yaml block", tc.page, tc.file)
		}
	}
}

func TestShows(t *testing.T) {
	content := "a: 1\nb: 2\n"
	if !shows("text\n```yaml\na: 1\nb: 2\n```\nmore", content, "yaml") {
		t.Error("the block itself is not found")
	}
	for _, page := range []string{"```yaml\na: 1\n```\n", "```yaml\na: 1\nb: 2\nc: 3\n```\n", "```\na: 1\nb: 2\n```\n", "a: 1\nb: 2\n"} {
		if shows(page, content, "yaml") {
			t.Errorf("shows(%q) passed", page)
		}
	}
}

package cli

import (
	"context"
	"os/exec"
	"strings"

	"github.com/cairnflags/cairn/ruleset"
)

// gitSource describes a publish from the flag files in dir: the commit and
// author come from CAIRN_COMMIT and CAIRN_AUTHOR, else from CI variables,
// else from git itself when dir is in a repository.
func gitSource(ctx context.Context, e Env, dir, message string) ruleset.Source {
	src := ruleset.Source{Kind: ruleset.SourceGit, Tool: "cairn", Message: message}
	src.Commit = firstEnv(e, "CAIRN_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA")
	src.Author = firstEnv(e, "CAIRN_AUTHOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN")
	if e.Git == nil {
		return src
	}
	if src.Commit == "" {
		src.Commit, _ = e.Git(ctx, dir, "rev-parse", "HEAD")
	}
	if src.Author == "" {
		src.Author, _ = e.Git(ctx, dir, "log", "-1", "--format=%an <%ae>")
	}
	if src.Message == "" {
		src.Message, _ = e.Git(ctx, dir, "log", "-1", "--format=%s")
	}
	return src
}

// who names the person making an edit or rollback, for the audit record.
func who(ctx context.Context, e Env) string {
	if w := firstEnv(e, "CAIRN_AUTHOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN"); w != "" {
		return w
	}
	if e.Git != nil {
		if w, err := e.Git(ctx, ".", "config", "user.email"); err == nil && w != "" {
			return w
		}
	}
	return firstEnv(e, "USER", "LOGNAME")
}

func firstEnv(e Env, names ...string) string {
	for _, n := range names {
		if v := e.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// runGit runs git in dir; a missing git or a directory outside a repository
// is an error the callers treat as "no git metadata".
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

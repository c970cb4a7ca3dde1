#!/usr/bin/env bash
# The upstream repository the "internet" git server serves (https://github.com/DeepVAC/deepvac inside
# the live tier's world): a bare repository with two commits on main, a second branch and a tag.
#   e2e/live/upstream-repo.sh BARE_DIR
set -euo pipefail
bare=${1:?usage: upstream-repo.sh BARE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="DeepVAC upstream" GIT_AUTHOR_EMAIL=upstream@example.invalid GIT_COMMITTER_NAME="DeepVAC upstream" \
	GIT_COMMITTER_EMAIL=upstream@example.invalid GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" \
	GIT_CONFIG_NOSYSTEM=1 HOME=$work
mkdir -p "$(dirname "$bare")"
git init --quiet --bare --initial-branch=main "$bare"
git init --quiet --initial-branch=main "$work/src"
cd "$work/src"
echo "# deepvac (live tier upstream stand-in)" >README.md
git add README.md && git commit --quiet -m "Initial commit"
printf 'def train():\n    return "deepvac"\n' >deepvac.py
git add deepvac.py && git commit --quiet -m "Add the trainer"
git tag v0.1.0
git checkout --quiet -b develop && echo "develop" >DEVELOP && git add DEVELOP && git commit --quiet -m "Develop branch"
git push --quiet "$bare" main develop v0.1.0
git -C "$bare" symbolic-ref HEAD refs/heads/main
echo "upstream repository $bare: $(git -C "$bare" for-each-ref --format='%(refname)' | tr '\n' ' ')"

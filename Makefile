# pufa — set-up, run, test, benchmark. Every target installs what is missing first.
VENV   := .venv
PY     := $(VENV)/bin/python
PUFA   := $(VENV)/bin/pufa
STAMP  := $(VENV)/.installed
EVAL   := $(or $(PUFA_CORPUS_DIR),../shared/regulations)/../eval/dev.jsonl

.PHONY: setup run index test lint bench eval

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

index: setup
	$(PUFA) ingest
	$(PUFA) db upgrade

run: index
	@echo "网页（公众问答与执法人员工作台）：另开终端运行 $(PUFA) web，然后打开 http://$${PUFA_WEB_HOST:-127.0.0.1}:$${PUFA_WEB_PORT:-8080}/console/ （账号：$(PUFA) users add 姓名 --role admin）"
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.\+' .env; then $(PUFA) serve; else $(PUFA) chat; fi

# mypy (about 20 s of one core on a fresh clone, no cache) runs beside pytest, which leaves a core idle
# while it starts and while its last worker finishes. Its report is shown when it fails (failing the
# target), so pytest's summary stays the last line of a good run.
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy > $(VENV)/mypy.log 2>&1 & mypy=$$!; \
	$(PY) -m pytest -q -n $${PUFA_TEST_WORKERS:-auto} --dist loadfile; tests=$$?; \
	if ! wait $$mypy; then cat $(VENV)/mypy.log; exit 1; fi; exit $$tests

eval: index
	$(PUFA) eval $(EVAL)
	$(PUFA) eval --answers $(EVAL)

bench: index
	PUFA_TEST_POSTGRES_URL=$${PUFA_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(PY) bench/run_all.py

// `#/kb/{domain}`: a knowledge base — its files, an upload by drag and drop (or a file picker,
// for the keyboard), the ingestion that follows with its progress, and the search playground.
import { api, explain, json, seg } from "./api.ts";
import { bytes, fill, h, statusLine, table, when } from "./dom.ts";
import { reloadOn } from "./events.ts";
import { type KnowledgeBase, kbBadge } from "./knowledge.ts";
import { searchSection } from "./search.ts";
import type { View } from "./types.ts";

interface KnowledgeFile {
  path: string;
  content_type: string;
  size_bytes: number;
  uploaded_at: string;
}

interface IngestJob {
  job_id: string;
  status: string;
  progress: { done: number; total: number; chunks: number };
  result: { files_processed: number; chunks_created: number; errors: unknown[] } | null;
  error: { message?: string } | string | null;
  waiting: { until: string } | null;
}

const POLL_MS = 400;

/**
 * The view of one knowledge base.
 * @example
 * await kbView("support")(main, ctx);
 */
export function kbView(domain: string): View {
  return async (main, ctx) => {
    const base = `kb/${seg(domain)}`;
    const status = statusLine();
    const info = h("div", { class: "summary" });
    const files = h("div");
    const uploads = h("ul", { class: "uploads", "aria-live": "polite" });
    const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Ingestion" });
    const ingestion = statusLine();
    let stopped = false;

    const load = async (): Promise<void> => {
      try {
        const [kb, list] = await Promise.all([
          json<KnowledgeBase>(base),
          json<{ items: KnowledgeFile[] }>(`${base}/files`),
        ]);
        fill(
          info,
          kbBadge(kb.ingestion_status),
          h("span", null, `${kb.file_count} file(s), ${bytes(kb.total_size_bytes)}`),
          h("span", null, "updated ", when(kb.last_updated)),
          kb.ingestion_error && h("span", { class: "bad" }, kb.ingestion_error),
        );
        const rows = list.items.map((f) =>
          h(
            "tr",
            null,
            h("th", { scope: "row" }, f.path),
            h("td", null, bytes(f.size_bytes)),
            h("td", null, f.content_type),
            h("td", null, when(f.uploaded_at)),
            h(
              "td",
              { class: "actions" },
              h(
                "button",
                { type: "button", "aria-label": `Delete ${f.path}`, onclick: () => remove(f.path) },
                "Delete",
              ),
            ),
          ),
        );
        fill(files, table(["File", "Size", "Type", "Uploaded", ""], rows, "No files yet."));
      } catch (error) {
        status.say(explain(error), "error");
      }
    };
    const remove = async (path: string): Promise<void> => {
      try {
        await api(`${base}/files/${seg(path, true)}`, { method: "DELETE" });
        status.say(`Deleted ${path}. Ingest to drop it from the index.`, "ok");
        await load();
      } catch (error) {
        status.say(explain(error), "error");
      }
    };

    /** Starts an ingestion and follows its job until it ends. */
    const ingest = async (): Promise<void> => {
      ingestion.say("Ingestion queued…", "busy");
      progress.hidden = false;
      progress.removeAttribute("value"); // indeterminate until the job reports a total
      try {
        let job = await json<IngestJob>(`${base}/ingest`, { method: "POST", json: {} });
        while (job.status === "running" && !stopped) {
          const { done, total, chunks } = job.progress;
          if (total > 0) {
            progress.max = total;
            progress.value = done;
          }
          ingestion.say(
            job.waiting
              ? `Waiting for another run (until ${job.waiting.until})…`
              : `Ingesting: ${done} of ${total || "?"} file(s), ${chunks} chunk(s)…`,
            "busy",
          );
          await new Promise((r) => setTimeout(r, POLL_MS));
          job = await json<IngestJob>(`${base}/ingest/${seg(job.job_id)}`);
        }
        progress.max = Math.max(1, job.progress.total);
        progress.value = job.progress.total;
        if (job.status === "completed" && job.result)
          ingestion.say(
            `Ingestion completed: ${job.result.files_processed} file(s) processed, ${job.result.chunks_created} chunk(s) created, ${job.result.errors.length} error(s).`,
            job.result.errors.length ? "error" : "ok",
          );
        else if (job.status !== "running")
          ingestion.say(`Ingestion ${job.status}: ${JSON.stringify(job.error)}`, "error");
        await load();
      } catch (error) {
        ingestion.say(explain(error), "error");
      }
    };

    /** Uploads each file (its name as its path), then ingests once. */
    const upload = async (list: File[]): Promise<void> => {
      if (list.length === 0) return;
      let stored = 0;
      for (const file of list) {
        const line = h("li", null, `${file.name}: uploading ${bytes(file.size)}…`);
        uploads.append(line);
        try {
          const res = await api(`${base}/files/${seg(file.name, true)}`, {
            method: "PUT",
            body: file,
          });
          line.textContent = `${file.name}: ${res.status === 201 ? "stored" : "replaced"}`;
          stored++;
        } catch (error) {
          line.textContent = `${file.name}: ${explain(error)}`;
          line.className = "bad";
        }
      }
      await load();
      if (stored > 0) await ingest();
    };

    const picker = h("input", {
      type: "file",
      multiple: true,
      class: "visually-hidden",
      id: "file-picker",
      onchange: () => {
        void upload([...(picker.files ?? [])]);
        picker.value = "";
      },
    });
    const drop = h(
      "div",
      { class: "drop", "data-testid": "dropzone" },
      h("p", null, "Drop files here to upload and ingest them, or "),
      h("label", { for: "file-picker", class: "button" }, "choose files"),
      picker,
    );
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      void upload([...(event.dataTransfer?.files ?? [])]);
    });

    fill(
      main,
      h("p", { class: "crumbs" }, h("a", { href: "#/kb" }, "Knowledge bases"), " / "),
      h("h1", { tabindex: "-1" }, domain),
      info,
      status,
      h(
        "section",
        { "aria-labelledby": "files-title" },
        h("h2", { id: "files-title" }, "Files"),
        drop,
        uploads,
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", onclick: () => void ingest() }, "Ingest now"),
          progress,
        ),
        ingestion,
        files,
      ),
      searchSection(base),
    );
    await load();
    const off = reloadOn(
      ctx,
      (event) => event.topic.startsWith("knowledge") && event.payload.domain_id === domain,
      load,
    );
    return () => {
      stopped = true;
      off();
    };
  };
}

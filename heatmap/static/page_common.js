// What the agents' and the engineers' pages share: the API's address, the key kept for the
// tab (taken from ?key= once, then out of the address bar), elements, and API errors told
// in Russian (failureRu, texts_ru.js). Loaded after texts_ru.js, before the page's own script.
"use strict";

const API = "/api/v1";
const KEY_ITEM = "heatmap.apiKey";
const OPEN = ["new", "queued", "in_progress", "reopened"];
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function takeKey() {
  const params = new URLSearchParams(location.search);
  const given = params.get("key");
  if (given) {
    sessionStorage.setItem(KEY_ITEM, given);
    params.delete("key");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  return sessionStorage.getItem(KEY_ITEM);
}

class ApiError extends Error {
  constructor(status, body) {
    super(failureRu(status, body));
    this.status = status;
    this.body = body;
  }
}

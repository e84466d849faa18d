"""The textbook server Précis is measured against: one Flask file, the model loaded at
import in every worker, one request at a time per worker, no batching, no cache.

    SUMMARIZER_MODEL=embedded gunicorn -w 2 --timeout 300 bench.baseline.app:app

It calls the same cleaning and the same engine as Précis, in fp32 as a tutorial leaves it
(QUANTIZE is ignored), so the difference measured is the serving (preloading, threads,
micro-batching, CPU thread placement) and the measured int8 default where a model has one."""

from flask import Flask, jsonify, request

from service.config import Settings
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer

engine = load_engine(Settings(quantize="off"))
summarizer = Summarizer(engine)
app = Flask(__name__)


@app.post("/v1/summarize")
def summarize():
    summary_request = SummarizeRequest.model_validate(request.get_json())
    prepared = summarizer.prepare(summary_request)
    [result] = engine.summarize([prepared.document], [prepared.params])
    return jsonify(summarizer.summarized(prepared, result, 0.0).response("baseline").as_json())

"""Gradio's own strings in Vietnamese ("Drop File Here", "Submit", "Error", "Loading"…).

Gradio 6 ships no ``vi`` translation and picks its language from the browser, falling back
to English for a locale it does not ship. Two steps make every page Vietnamese whatever
the browser says: the translations below go to the page as custom translations
(``gr.I18n``; keys are Gradio's, from ``js/core/src/lang/en.json``), and a script run on
load switches Gradio's i18n store to ``vi`` through the ``changeLocale`` export of the
frontend's core module, imported from the very URL the page loaded (so it is the same
module instance). Strings without a translation here fall back to English.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

LOCALE = "vi"

log = logging.getLogger("ui")

VI: dict[str, str] = {
    # common
    "common.built_with": "xây dựng bằng",
    "common.built_with_gradio": "Xây dựng bằng Gradio",
    "common.clear": "Xoá",
    "common.complete": "Hoàn tất",  # announced to screen readers; missing from Gradio's en
    "common.download": "Tải về",
    "common.download_all": "Tải tất cả",
    "common.edit": "Sửa",
    "common.empty": "Trống",
    "common.error": "Lỗi",
    "common.hosted_on": "Lưu trữ tại",
    "common.loading": "Đang tải",
    "common.logo": "biểu trưng",
    "common.or": "hoặc",
    "common.remove": "Gỡ bỏ",
    "common.runs": "Lượt chạy",
    "common.runs_description": "Xem các lượt chạy lưu trong trình duyệt này",
    "common.back_to_app": "Ứng dụng",
    "common.back_to_app_description": "Quay lại ứng dụng",
    "common.settings": "Cài đặt",
    "common.share": "Chia sẻ",
    "common.submit": "Gửi",
    "common.undo": "Hoàn tác",
    "common.no_devices": "Không tìm thấy thiết bị",
    "common.language": "Ngôn ngữ",
    "common.display_theme": "Giao diện hiển thị",
    "common.pwa": "Ứng dụng web",
    "common.progress": "Tiến độ",
    "common.record": "Ghi",
    "common.stop_recording": "Dừng ghi",
    "common.screen_studio": "Quay màn hình",
    "common.share_gradio_tab": "[Chia sẻ] Thẻ Gradio",
    "common.run": "Chạy",
    # upload boxes
    "upload_text.click_to_upload": "Bấm để tải lên",
    "upload_text.drop_audio": "Thả tệp âm thanh vào đây",
    "upload_text.drop_csv": "Thả tệp CSV vào đây",
    "upload_text.drop_file": "Thả tệp vào đây",
    "upload_text.drop_image": "Thả ảnh vào đây",
    "upload_text.drop_video": "Thả video vào đây",
    "upload_text.drop_gallery": "Thả tệp đa phương tiện vào đây",
    "upload_text.paste_clipboard": "Dán từ bộ nhớ tạm",
    "file.uploading": "Đang tải lên...",
    # chat
    "chatbot.edit": "Sửa",
    "chatbot.retry": "Thử lại",
    "chatbot.undo": "Hoàn tác",
    "chatbot.submit": "Gửi",
    "chatbot.cancel": "Huỷ",
    "chatbot.like": "Thích",
    "chatbot.dislike": "Không thích",
    "chatbot.clear": "Xoá",
    "chatbot.complete": "Hoàn tất",
    "chatbot.copy_message": "Sao chép tin nhắn",
    "chatbot.copied_message": "Đã sao chép tin nhắn",
    "chat_interface.new_chat": "Hội thoại mới",
    "chat_interface.message_placeholder": "Nhập tin nhắn...",
    "chat_interface.additional_inputs": "Thông tin bổ sung",
    "chat_interface.chatbot": "Hội thoại",
    "chat_interface.conversation": "Hội thoại",
    # tables
    "dataframe.incorrect_format": "Sai định dạng, chỉ hỗ trợ tệp CSV và TSV",
    "dataframe.new_column": "Thêm cột",
    "dataframe.new_row": "Dòng mới",
    "dataframe.add_row_above": "Thêm dòng phía trên",
    "dataframe.add_row_below": "Thêm dòng phía dưới",
    "dataframe.delete_row": "Xoá dòng",
    "dataframe.delete_column": "Xoá cột",
    "dataframe.add_column_left": "Thêm cột bên trái",
    "dataframe.add_column_right": "Thêm cột bên phải",
    "dataframe.sort_column": "Sắp xếp cột",
    "dataframe.sort_ascending": "Sắp xếp tăng dần",
    "dataframe.sort_descending": "Sắp xếp giảm dần",
    "dataframe.drop_to_upload": "Thả tệp CSV hoặc TSV vào đây để nhập dữ liệu",
    "dataframe.clear_sort": "Bỏ sắp xếp",
    "dataframe.filter": "Lọc",
    "dataframe.clear_filter": "Bỏ lọc",
    # queue, connection, errors
    "blocks.connection_can_break": (
        "Trên điện thoại, kết nối có thể bị ngắt khi thẻ này không được mở hoặc máy ngủ."
    ),
    "blocks.long_requests_queue": "Đang có nhiều yêu cầu chờ xử lý.",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang xếp hàng lại...",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp lên xong, vui lòng thử lại.",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "errors.build_error": "có lỗi khi dựng ứng dụng",
    "errors.config_error": "có lỗi cấu hình",
    "errors.contact_page_author": "Vui lòng báo cho người quản trị trang.",
    "errors.no_app_file": "không có tệp ứng dụng",
    "errors.runtime_error": "có lỗi khi chạy",
    "errors.space_not_working": "Ứng dụng không hoạt động vì {0}",
    "errors.space_paused": "ứng dụng đang tạm dừng",
    "errors.use_via_api": "Dùng qua API",
    "errors.use_via_api_or_mcp": "Dùng qua API hoặc MCP",
    # component names Gradio shows when a label is missing
    "checkbox.checkbox": "Ô chọn",
    "checkbox.checkbox_group": "Nhóm ô chọn",
    "dropdown.dropdown": "Danh sách chọn",
    "number.number": "Số",
    "slider.slider": "Thanh trượt",
    "radio.radio": "Lựa chọn",
    "label.label": "Nhãn",
    "code.code": "Mã",
    "login.username": "tên đăng nhập",
    "login.password": "mật khẩu",
    "login.login": "Đăng nhập",
    "login.incorrect_credentials": "Thông tin đăng nhập không đúng",
}
"""Vietnamese for the Gradio strings this UI can show (unlisted keys fall back to English)."""

HARD_CODED: dict[str, str] = {
    # The status tracker's screen-reader announcements keep the i18n of the first render.
    "Loading": "Đang tải",
    "Complete": "Hoàn tất",
    "Loading...": "Đang xử lý...",
    "Loading response": "Đang soạn câu trả lời",
    "Loading content": "Đang tải nội dung",
    "Close": "Đóng",
}
"""English Gradio writes without (or before) its i18n (status tracker, chatbot): replaced
in the page where a whole text node or ``aria-label`` is exactly one of these."""


def core_module_name(assets: Path | None = None) -> str | None:
    """The file name of Gradio's frontend core module (the one exporting ``changeLocale``)."""
    if assets is None:
        import gradio

        assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    for path in sorted(assets.glob("core-*.js")):
        if "as changeLocale" in path.read_text(encoding="utf-8", errors="replace"):
            return path.name
    return None


def force_locale_js(locale: str = LOCALE) -> str:
    """JavaScript for ``js=`` (run on load): switch Gradio's own strings to *locale*."""
    core = core_module_name()
    if core is None:
        log.warning("Gradio's core module was not found: its own strings stay English")
        return "() => {}"
    return f"""
async () => {{
  const loaded = performance.getEntriesByType("resource")
    .map((entry) => entry.name)
    .find((name) => name.includes("/assets/{core}"));
  const url = loaded || new URL("assets/{core}", document.baseURI).href;
  try {{
    const core = await import(url);
    core.changeLocale({json.dumps(locale)});
  }} catch (error) {{
    console.warn("PAPI: could not switch Gradio's language", error);
  }}
  // A few strings bypass Gradio's i18n: translate them as they appear.
  const fixed = {json.dumps(HARD_CODED, ensure_ascii=False)};
  const fixText = (node) => {{
    const vi = fixed[node.data.trim()];
    if (vi) node.data = vi;
  }};
  const fixLabel = (el) => {{
    const vi = fixed[el.getAttribute("aria-label")];
    if (vi) el.setAttribute("aria-label", vi);
  }};
  const fixTree = (root) => {{
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    if (root.hasAttribute("aria-label")) fixLabel(root);
    root.querySelectorAll("[aria-label]").forEach(fixLabel);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) fixText(node);
  }};
  fixTree(document.body);
  new MutationObserver((mutations) => {{
    for (const m of mutations) {{
      if (m.type === "characterData") fixText(m.target);
      else if (m.type === "attributes") fixLabel(m.target);
      else m.addedNodes.forEach(fixTree);
    }}
  }}).observe(document.body, {{
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["aria-label"],
  }});
}}
"""

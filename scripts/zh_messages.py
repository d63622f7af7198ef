"""Writes locale/zh/LC_MESSAGES/messages.po from the table below (edit here, then run)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ZH = {
    "Venue Code": "场所码",
    "Something is not right": "出现了问题",
    "Error code": "错误代码",
    "Back to the start": "返回首页",
    "Scan the venue code at the door with your phone to check in and verify your health status.":
        "进入场所请用手机扫描门口的场所码，完成登记并核验健康状态。",
    "Signed in as": "当前登录",
    "Sign out": "退出登录",
    "Sign in": "登录",
    "Mobile number": "手机号码",
    "Send code": "获取验证码",
    "Enter the code": "输入验证码",
    "We sent a 6-digit code to": "6位验证码已发送至",
    "Code": "验证码",
    "Password": "密码",
    "Staff accounts confirm the sign-in with a password.": "工作人员账号需再输入密码确认登录。",
    "Continue": "继续",
    "Real-name verification": "实名认证",
    "Enter your name and ID number as on your ID card. They are used only for epidemic control.":
        "请输入与身份证一致的姓名和身份证号码，仅用于疫情防控。",
    "Name": "姓名",
    "ID number": "身份证号码",
    "Confirm": "确认",
    "This venue code is valid.": "该场所码有效。",
    "My venues": "我的场所",
    "Apply for a venue code": "申请场所码",
    "No venues yet.": "暂无场所。",
    "Venue name": "场所名称",
    "Category": "场所类别",
    "District": "所属区县",
    "Address": "地址",
    "Manager name": "负责人姓名",
    "Manager phone": "负责人电话",
    "Capacity (people)": "容纳人数",
    "Sub-areas with their own code, one per line (optional)": "需要单独场所码的区域（如车厢、包厢），每行一个（可选）",
    "Submit application": "提交申请",
    "Status": "状态",
    "Reason": "原因",
    "Venue code poster": "场所码海报",
    "Print poster (PDF, A4)": "打印海报（PDF，A4）",
    "English poster": "英文海报",
    "Sub-areas": "区域",
    "Poster": "海报",
    "Old posters will stop working. Continue?": "旧海报将立即失效，确定继续吗？",
    "Re-issue the code (old posters stop working)": "重新生成场所码（旧海报失效）",
    "The poster can be printed once the district approves the application.":
        "区县审核通过后即可打印场所码海报。",
    "Back to my venues": "返回我的场所",
    "Approve venue codes": "场所码审核",
    "Nothing here.": "暂无内容。",
    "Venue": "场所",
    "Approve": "通过",
    "Reason for rejection": "驳回原因",
    "Reject": "驳回",
    "Revoke": "停用",
    "applied": "待审核",
    "approved": "已通过",
    "rejected": "已驳回",
    "revoked": "已停用",
    "Scanned": "已扫码",
    "Pass": "通行",
    "No entry": "禁止通行",
    "Health code": "健康码",
    "Green": "绿码",
    "Yellow": "黄码",
    "Red": "红码",
    "None": "无",
    "Nucleic-acid test": "核酸检测",
    "Negative": "阴性",
    "Positive": "阳性",
    "Pending": "待出结果",
    "No test": "无记录",
    "Sampled %(h)s h ago": "采样于%(h)s小时前",
    "Valid": "有效",
    "Not valid": "无效",
    "Vaccination": "疫苗接种",
    "%(n)s doses": "已接种%(n)s剂",
    "Last": "末次",
    "Itinerary (14 days)": "行程（14天）",
    "Risk area": "到访风险地区",
    "No risk area": "未到访风险地区",
    "Leave": "离开",
    "My scans": "我的扫码记录",
    "Check in at this venue?": "确认在该场所扫码登记？",
    "Check in": "扫码登记",
    "You have left": "您已离开",
    "Your entries are kept for the retention period and used only for epidemic control.":
        "您的扫码记录仅用于疫情防控，保存期满后自动删除。",
    "Entries today": "今日进场记录",
    "Green (entered)": "绿码（已进场）",
    "Yellow (denied)": "黄码（已拦截）",
    "Red (denied)": "红码（已拦截）",
    "Denied in all": "拦截合计",
    "Names and ID numbers are masked. Refreshes every 10 seconds.": "姓名和身份证号已脱敏显示，每10秒自动刷新。",
    "Time": "时间",
    "Result": "结果",
    "Scan volumes": "扫码量",
    "Entries per hour": "每小时进场人次",
    "Entries": "进场",
    "Denied": "拦截",
    "District scan volumes": "本区扫码量",
    "Today's entries": "今日进场记录",
    "Import data": "数据导入",
    "CSV (UTF-8 or GBK), XLSX or JSON Lines, with the columns of the data interface. Good records are kept; rejected ones are listed with their row number.":
        "支持 CSV（UTF-8 或 GBK）、XLSX 和 JSON Lines，列名须符合数据接口规范。合格记录入库，不合格记录按行号列出原因。",
    "Data kind": "数据类别",
    "Source (department)": "数据来源（部门）",
    "File": "文件",
    "Import": "导入",
    "read": "读取",
    "accepted": "新增",
    "replaced": "更新",
    "unchanged": "未变",
    "rejected": "拒收",
    "Row": "行号",
    "Reasons": "原因",
    "Download all rejected rows (CSV)": "下载全部拒收记录（CSV）",
    "Recent batches": "最近导入批次",
    "All sources": "全部来源",
    "Received": "接收时间",
}


def main() -> None:
    catalog = Catalog(locale="zh", project="venuecode")
    for msgid, text in ZH.items():
        catalog.add(msgid, text)
    path = Path(str(resources.files("venuecode.web"))) / "locale/zh/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()

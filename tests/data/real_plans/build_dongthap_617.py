"""Build dongthap-617-cds-doanh-nghiep/dongthap-617-cds-doanh-nghiep.docx: Kế hoạch số 617/KH-UBND
(01/12/2025) of UBND tỉnh Đồng Tháp, as the Word file an officer receives.

The text is the plan's published text (a thuvienphapluat.vn page, see the plan's SOURCE.md),
cell for cell and paragraph for paragraph; the page's hard line wraps are joined back into
Word paragraphs.
Run: python3 tests/data/real_plans/build_dongthap_617.py   (needs python-docx)
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

SLUG = "dongthap-617-cds-doanh-nghiep"
OUT = Path(__file__).parent / SLUG / f"{SLUG}.docx"

HEADER = [['ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\n--------',
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------'],
 ['Số: 617/KH-UBND', 'Đồng Tháp, ngày 01 tháng 12 năm 2025']]

PARAGRAPHS = ['KẾ HOẠCH',
 'CHUYỂN ĐỔI SỐ CHO CÁC DOANH NGHIỆP, NHẤT LÀ DOANH NGHIỆP NHỎ VÀ VỪA, HỢP TÁC XÃ, HỘ KINH '
 'DOANH',
 'Thực hiện Kế hoạch số 283/KH-UBND ngày 24/9/2025 của Uỷ ban nhân dân Tỉnh về thực hiện '
 'Nghị quyết số 71/NQ-CP ngày 01/5/2025 của Chính phủ và Chương trình hành động số '
 '10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh uỷ về thực hiện Nghị quyết số 57-NQ/TW '
 'ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ đổi mới sáng '
 'tạo và chuyển đổi số trên địa bàn tỉnh Đồng Tháp;',
 'Ủy ban nhân dân Tỉnh ban hành Kế hoạch chuyển đổi số cho các doanh nghiệp, nhất là doanh '
 'nghiệp nhỏ và vừa, hợp tác xã, hộ kinh doanh, với các nội dung như sau:',
 'I. MỤC ĐÍCH, YÊU CẦU',
 '1. Mục đích',
 'a) Thúc đẩy mạnh mẽ chuyển đổi số toàn diện trong hoạt động sản xuất kinh doanh của các '
 'doanh nghiệp (DN), nhất là doanh nghiệp nhỏ và vừa (DNNVV), hợp tác xã (HTX), hộ kinh '
 'doanh (HKD) trên địa bàn Tỉnh.',
 'b) Ứng dụng công nghệ số để nâng cao năng suất, hiệu quả hoạt động, năng lực cạnh tranh; '
 'mở rộng thị trường tiêu thụ sản phẩm, phát triển thương mại điện tử và quản trị hiện đại '
 'cho các DN, nhất là DNNVV, HTX, HKD.',
 'c) Góp phần thực hiện thành công mục tiêu chuyển đổi số tỉnh Đồng Tháp, hướng tới phát '
 'triển kinh tế số, xã hội số và chính quyền số, đóng góp vào sự phát triển kinh tế - xã '
 'hội của Tỉnh.',
 '2. Yêu cầu',
 'a) Kế hoạch được triển khai đồng bộ, phù hợp với điều kiện thực tế và nhu cầu chuyển đổi '
 'số của từng nhóm doanh nghiệp, hợp tác xã, hộ kinh doanh.',
 'b) Huy động nguồn lực tổng hợp của Nhà nước, doanh nghiệp, hiệp hội và các tổ chức hỗ '
 'trợ trong và ngoài Tỉnh.',
 'c) Đảm bảo tính thực tiễn, bền vững, có cơ chế giám sát, đánh giá kết quả cụ thể theo '
 'từng giai đoạn.',
 'd) Tăng cường vai trò dẫn dắt, đồng hành của cơ quan quản lý nhà nước, đồng thời phát '
 'huy tinh thần chủ động, sáng tạo của doanh nghiệp.',
 'II. MỤC TIÊU, ĐỐI TƯỢNG',
 '1. Mục tiêu cụ thể',
 'a) Đến hết năm 2025: Có ≥ 30% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.',
 'b) Đến hết năm 2030: Có ≥ 60% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.',
 'c) Đến hết năm 2035: Có ≥ 85% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.',
 'd) Đến hết năm 2040: Có ≥ 95% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.',
 'đ) Đến hết năm 2045: 100% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.',
 '2. Đối tượng áp dụng',
 'a) Các DNNVV, HTX, HKD trên địa bàn Tỉnh có nhu cầu chuyển đổi số để nâng cao năng suất, '
 'hiệu quả hoạt động, năng lực cạnh tranh, mở rộng thị trường tiêu thụ sản phẩm, phát '
 'triển thương mại điện tử và quản trị hiện đại.',
 'b) Các doanh nghiệp, cơ quan, tổ chức, hiệp hội, các trường đại học, cao đẳng cung cấp '
 'các công nghệ số, nền tảng số và các giải pháp, phần mềm thúc đẩy chuyển đổi số doanh '
 'nghiệp.',
 'III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM',
 '1. Nâng cao nhận thức và đổi mới tư duy',
 'a) Đẩy mạnh truyền thông, nâng cao nhận thức và quyết tâm chính trị mạnh mẽ về chuyển '
 'đổi số, cụ thể hóa nội dung tuyên truyền cho từng nhóm đối tượng, bao gồm doanh nghiệp.',
 'b) Xây dựng, nâng cấp nền tảng đào tạo trực tuyến mở đại trà, cung cấp miễn phí kiến '
 'thức về khoa học, công nghệ, đổi mới sáng tạo, kỹ năng số, công nghệ số cơ bản cho người '
 'dân, doanh nghiệp.',
 'c) Phát động phong trào thi đua để phát huy sức mạnh tổng hợp, sự tham gia tích cực của '
 'doanh nhân, doanh nghiệp và Nhân dân thực hiện thành công cuộc cách mạng chuyển đổi số.',
 'd) Triển khai đánh giá mức độ chuyển đổi số trong các doanh nghiệp trên địa bàn Tỉnh.',
 'đ) Biểu dương, tôn vinh, khen thưởng, khích lệ, động viên kịp thời bằng nhiều hình thức '
 'đa dạng cho các doanh nghiệp, tổ chức, cá nhân có thành tích trong chuyển đổi số.',
 '2. Hoàn thiện cơ chế, chính sách hỗ trợ chuyển đổi số doanh nghiệp',
 'a) Cụ thể hóa và thực hiện có hiệu quả, kịp thời các chủ trương, chính sách của Đảng và '
 'Nhà nước về ưu đãi, khuyến khích các doanh nghiệp, nhất là DNNVV, HTX, HKD đầu tư cho '
 'chuyển đổi số, nghiên cứu, ứng dụng khoa học, đổi mới công nghệ để nâng cao hiệu quả sản '
 'xuất, kinh doanh, quản trị doanh nghiệp.',
 'b) Cập nhật, hoàn thiện bộ tiêu chí đánh giá mức độ chuyển đổi số doanh nghiệp và triển '
 'khai các chương trình hỗ trợ, thúc đẩy doanh nghiệp, nhất là DNNVV, HTX, HKD chuyển đổi '
 'số.',
 'c) Xây dựng cơ chế giao nhiệm vụ cho một số doanh nghiệp làm chủ công nghệ chiến lược, '
 'đi đôi với nhiệm vụ triển khai phát triển hạ tầng số, các dự án chuyển đổi số của Tỉnh.',
 'd) Xây dựng cơ chế, chính sách hỗ trợ các doanh nghiệp công nghệ số, thu hút doanh '
 'nghiệp có năng lực về công nghệ đặt trụ sở, đầu tư nghiên cứu, sản xuất tại Tỉnh; khuyến '
 'khích tinh thần khởi nghiệp về chuyển đổi số.',
 'đ) Triển khai khu công viên phần mềm/khu công nghiệp công nghệ số tập trung theo Quy '
 'hoạch hạ tầng thông tin và truyền thông thời kỳ 2021 - 2030, tầm nhìn đến năm 2050.',
 'e) Xây dựng chương trình thúc đẩy tiêu dùng sản phẩm, dịch vụ trên môi trường số, bao '
 'gồm: đưa sản phẩm lên môi trường số, trang bị kỹ năng số cho người dân, cung cấp các '
 'tiện ích để người dân giao dịch trên môi trường số, tạo lập niềm tin số (đặc biệt quan '
 'trọng đối với hợp tác xã và hộ kinh doanh).',
 'g) Xây dựng Kế hoạch hỗ trợ doanh nghiệp tham gia phát triển các ứng dụng, dịch vụ số '
 'mới theo hình thức hợp tác công tư (PPP).',
 'h) Hỗ trợ doanh nghiệp nhỏ và vừa theo Nghị định số 80/2021/NĐ-CP ngày 26/8/2021 của '
 'Chính phủ (lĩnh vực khoa học và công nghệ) trên địa bàn tỉnh.',
 '3. Phát triển hạ tầng số và thúc đẩy ứng dụng trong sản xuất kinh doanh',
 'a) Xây dựng, ban hành chương trình đẩy mạnh sản xuất thông minh, chuyển đổi số trong các '
 'lĩnh vực trọng điểm như: giáo dục, y tế, nông nghiệp, công nghiệp, thương mại, tài '
 'chính, giao thông, xây dựng, logistics, du lịch,...',
 'b) Triển khai đề án ứng dụng IoT trong một số ngành, lĩnh vực như giáo dục, y tế, nông '
 'nghiệp, giao thông,… Chuyển đổi số trong các khu công nghiệp, cụm công nghiệp theo hướng '
 'tăng cường ứng dụng Internet vạn vật (IoT).',
 'c) Thúc đẩy ứng dụng AI, IoT, Big Data,... để nâng cao chất lượng sống và quản lý môi '
 'trường, đô thị thông minh.',
 '4. Hợp tác và thu hút đầu tư',
 'a) Tổ chức học tập kinh nghiệm các tỉnh, thành phố có các mô hình, chuyển đổi số trong '
 'các doanh nghiệp trên địa bàn Tỉnh.',
 'b) Đẩy mạnh hợp tác với doanh nghiệp, viện, trường trong và ngoài nước về chuyển đổi số '
 'trong các doanh nghiệp trên địa bàn tỉnh phù hợp với đặc thù, tiềm năng, thế mạnh của '
 'địa phương.',
 'c) Tổ chức xúc tiến đầu tư, mời gọi các nhà đầu tư trong nước và ngoài nước có tiềm lực, '
 'thương hiệu mạnh trong các lĩnh vực công nghệ cao, công nghệ thông tin, chuyển đổi số.',
 'IV. TỔ CHỨC THỰC HIỆN',
 '1. Sở Khoa học và Công nghệ',
 'a) Là cơ quan đầu mối, chủ trì, phối hợp với các cơ quan, đơn vị, địa phương tham mưu Ủy '
 'ban nhân dân Tỉnh tổ chức triển khai kế hoạch; tổ chức theo dõi, giám sát, đánh giá kết '
 'quả thực hiện chuyển đổi số đối với các DNNVV, HTX, HKD trên địa bàn Tỉnh.',
 'b) Định kỳ tổng hợp báo cáo kết quả, đề xuất giải pháp điều chỉnh, bổ sung để phù hợp '
 'với tình hình thực tiễn.',
 '2. Sở Tài chính',
 'a) Thẩm định dự toán kinh phí thực hiện nhiệm vụ Kế hoạch, tham mưu Uỷ ban nhân dân Tỉnh '
 'xem xét, bố trí kinh phí phù hợp với khả năng ngân sách.',
 'b) Phối hợp huy động nguồn vốn đầu tư và hỗ trợ từ các tổ chức, dự án trong và ngoài '
 'nước.',
 '3. Sở Công Thương',
 'Hỗ trợ cho các doanh nghiệp, nhất là doanh nghiệp nhỏ và vừa, hợp tác xã, hộ kinh doanh '
 'phát triển, kinh doanh trên môi trường số.',
 '4. Sở Văn hoá, Thể thao và Du lịch',
 'Định hướng các cơ quan truyền thông trên địa bàn tỉnh đẩy mạnh công tác tuyên truyền về '
 'nội dung Kế hoạch này.',
 '5. Ủy ban nhân dân các xã, phường',
 'Xây dựng kế hoạch cụ thể triển khai tại địa phương; tuyên truyền, hướng dẫn doanh '
 'nghiệp, hợp tác xã, hộ kinh doanh tham gia hoạt động chuyển đổi số.',
 '6. Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh, Liên minh Hợp tác xã Tỉnh',
 'a) Tuyên truyền, vận động hội viên tích cực tham gia các hoạt động chuyển đổi số; phối '
 'hợp giới thiệu mô hình tiêu biểu, hỗ trợ chia sẻ kinh nghiệm giữa các đơn vị.',
 'b) Phối hợp với Sở Khoa học và Công nghệ thực hiện đánh giá hiện trạng, nhu cầu về ứng '
 'dụng công nghệ thông tin, thương mại điện tử, chuyển đổi số trong các doanh nghiệp trên '
 'địa bàn Tỉnh.',
 'c) Tiếp nhận các kiến nghị, phản ánh của các doanh nghiệp có liên quan trong quá trình '
 'tổ chức thực hiện Kế hoạch, gửi Sở Khoa học và Công nghệ tổng hợp.',
 '7. Các sở, ban, ngành tỉnh, Ủy ban nhân dân các xã, phường',
 'Trên cơ sở Kế hoạch này, các sở, ban, ngành Tỉnh tổ chức thực hiện nhiệm vụ được giao '
 'gắn với nhiệm vụ của cơ quan, đơn vị; Ủy ban nhân dân các xã, phường căn cứ nhiệm vụ '
 'được giao, xây dựng kế hoạch, chương trình cụ thể để triển khai thực hiện; định kỳ trước '
 'ngày 01/6 và 15/11 hằng năm (hoặc đột xuất khi có yêu cầu) báo cáo kết quả thực hiện về '
 'Sở Khoa học và Công nghệ để tổng hợp, báo cáo Ủy ban nhân dân Tỉnh.',
 'Trong quá trình thực hiện nếu có khó khăn, vướng mắc đề nghị các cơ quan, đơn vị, địa '
 'phương phản ánh về Sở Khoa học và Công nghệ để phối hợp giải quyết; trường hợp vượt thẩm '
 'quyền, Sở Khoa học và Công nghệ tổng hợp báo cáo và đề xuất, trình Ủy ban nhân dân Tỉnh '
 'xem xét, quyết định./.']

SIGNATURE = [['Nơi nhận:\n'
  '- Bộ Khoa học và Công nghệ;\n'
  '- CT, các PCT UBND Tỉnh;\n'
  '- Mục IV;\n'
  '- VPUB: CVP, các PCVP;\n'
  '- Lưu: VT, KGVX. Thg.',
  'TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nHuỳnh Minh Tuấn']]

APPENDIX_TITLE = ['PHỤ LỤC',
 'DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM',
 '(Kèm theo Kế hoạch số 617/KH-UBND ngày 01/12/2025 của Ủy ban nhân dân tỉnh)']

TABLE = [['STT', 'Tên nhiệm vụ', 'Cơ quan chủ trì', 'Cơ quan phối hợp', 'Thời gian hoàn thành'],
 ['I. NÂNG CAO NHẬN THỨC VÀ ĐỔI MỚI TƯ DUY'],
 ['1',
  'Triển khai nền tảng đào tạo trực tuyến mở đại trà, cung cấp kiến thức, kỹ năng số, công '
  'nghệ số cơ bản cho người dân, doanh nghiệp.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; UBND các xã, phường',
  'Thường xuyên'],
 ['2',
  'Triển khai đánh giá mức độ chuyển đổi số trong các doanh nghiệp trên địa bàn Tỉnh.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; UBND các xã, phường',
  'Thường xuyên'],
 ['3',
  'Biểu dương, tôn vinh, khen thưởng, khích lệ, động viên kịp thời bằng nhiều hình thức đa '
  'dạng cho các doanh nghiệp, tổ chức, cá nhân có thành tích trong chuyển đổi số.',
  'Sở Nội vụ',
  'Sở KH&CN; các cơ quan, đơn vị liên quan',
  'Thường xuyên, hằng năm'],
 ['II. HOÀN THIỆN CƠ CHẾ, CHÍNH SÁCH HỖ TRỢ CHUYỂN ĐỔI SỐ DOANH NGHIỆP'],
 ['4',
  'Xây dựng Bộ tiêu chí đánh giá mức độ chuyển đổi số doanh nghiệp.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh',
  'Quí IV-2025'],
 ['5',
  'Hỗ trợ cho các doanh nghiệp, nhất là doanh nghiệp nhỏ và vừa, hợp tác xã, hộ kinh doanh '
  'phát triển, kinh doanh trên môi trường số.',
  'Sở Công Thương',
  'UBND các xã, phường',
  'Quí IV-2025'],
 ['6',
  'Xây dựng Kế hoạch hỗ trợ doanh nghiệp tham gia phát triển các ứng dụng, dịch vụ số mới '
  'theo hình thức hợp tác công tư (PPP)',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; các đơn vị liên quan; UBND các xã, phường',
  'Quí IV-2025'],
 ['7',
  'Hỗ trợ doanh nghiệp nhỏ và vừa theo Nghị định số 80/2021/NĐ-CP ngày 26/8/2021 của Chính '
  'phủ (lĩnh vực khoa học và công nghệ) trên địa bàn Tỉnh.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; các đơn vị liên quan; UBND các xã, phường',
  'Hằng năm'],
 ['III. PHÁT TRIỂN HẠ TẦNG SỐ VÀ THÚC ĐẨY ỨNG DỤNG TRONG SẢN XUẤT KINH DOANH'],
 ['8',
  'Xây dựng kế hoạch và triển khai hạ tầng 5G, IoT trong các khu công nghiệp, cụm công '
  'nghiệp.',
  'Sở KH&CN',
  'Ban Quản lý Khu kinh tế, Sở Công Thương, các doanh nghiệp viễn thông; các cơ quan, đơn '
  'vị liên quan',
  'Quí IV-2025'],
 ['IV. HỢP TÁC VÀ THU HÚT ĐẦU TƯ'],
 ['9',
  'Tổ chức học tập kinh nghiệm các tỉnh, thành phố có các mô hình, chuyển đổi số trong các '
  'doanh nghiệp trên địa bàn Tỉnh.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; UBND các xã, phường',
  'Thường xuyên'],
 ['10',
  'Tổ chức xúc tiến đầu tư, thu hút, mời gọi các nhà đầu tư trong và ngoài nước có tiềm '
  'lực, thương hiệu mạnh trong các lĩnh vực công nghệ cao, công nghệ thông tin, chuyển đổi '
  'số.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; UBND các xã, phường',
  'Thường xuyên'],
 ['11',
  'Đẩy mạnh hợp tác với doanh nghiệp, viện, trường trong và ngoài nước về chuyển đổi số '
  'trong các doanh nghiệp trên địa bàn tỉnh phù hợp với đặc thù, tiềm năng, thế mạnh của '
  'địa phương.',
  'Sở KH&CN',
  'Các sở, ban, ngành tỉnh; UBND các xã, phường',
  'Quí IV-2025']]

CENTERED = {"KẾ HOẠCH", PARAGRAPHS[1]}


def _cell_text(cell, text):
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _table(doc, rows, ncols):
    table = doc.add_table(rows=0, cols=ncols)
    table.style = "Table Grid"
    for row in rows:
        cells = table.add_row().cells
        if len(row) == 1:  # a group heading written across the whole row
            _cell_text(cells[0].merge(cells[ncols - 1]), row[0])
            continue
        if len(row) == 2:  # a group heading: its number, then one cell merged to the end
            _cell_text(cells[0], row[0])
            _cell_text(cells[1].merge(cells[ncols - 1]), row[1])
            continue
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    return table


def build(out=OUT):
    doc = Document()
    head = doc.add_table(rows=0, cols=2)
    for row in HEADER:
        cells = head.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    for text in PARAGRAPHS:
        p = doc.add_paragraph(text)
        if text in CENTERED:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sign = doc.add_table(rows=0, cols=2)
    for row in SIGNATURE:
        cells = sign.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            _cell_text(cell, text)
    doc.add_page_break()
    for text in APPENDIX_TITLE:
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(doc, TABLE, 5)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
